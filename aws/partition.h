/* partition.h: AWS partitions, the separate AWS clouds a region belongs to.
 * A partition decides the DNS suffix of every endpoint, the first field of
 * every ARN, and where its one IAM endpoint is and the region IAM calls
 * are signed for:
 *
 *   aws         most regions      amazonaws.com     iam.amazonaws.com, us-east-1
 *   aws-cn      cn-*              amazonaws.com.cn  iam.cn-north-1.amazonaws.com.cn, cn-north-1
 *   aws-us-gov  us-gov-*          amazonaws.com     iam.us-gov.amazonaws.com, us-gov-west-1
 *   aws-iso     us-iso-*          c2s.ic.gov        iam.us-iso-east-1.c2s.ic.gov, us-iso-east-1
 *   aws-iso-b   us-isob-*         sc2s.sgov.gov     iam.us-isob-east-1.sc2s.sgov.gov, us-isob-east-1
 *   aws-iso-f   us-isof-*         csp.hci.ic.gov    iam.us-isof-south-1.csp.hci.ic.gov, us-isof-south-1
 *
 * (the partitions of the AWS SDKs' endpoint data). Every other service the
 * provider calls is regional: <prefix>.<region>.<dns suffix>. */
#ifndef WAGTAIL_PARTITION_H
#define WAGTAIL_PARTITION_H

typedef struct {
	const char *name;       /* "aws-cn": the ARN's partition field */
	const char *dns_suffix; /* "amazonaws.com.cn" */
	const char *iam_host;   /* "iam.cn-north-1.amazonaws.com.cn" */
	const char *iam_region; /* "cn-north-1": what IAM calls are signed for */
} aws_partition;

/* The partition of a region; "aws" for a region no partition claims (NULL
 * included), as the SDKs do. Never NULL; static storage. */
const aws_partition *aws_partition_of(const char *region);

#endif
