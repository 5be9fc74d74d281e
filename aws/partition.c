/* partition.c: see partition.h. */
#include "partition.h"

#include <stddef.h>
#include <string.h>

static const aws_partition aws = {"aws", "amazonaws.com", "iam.amazonaws.com", "us-east-1"};

/* Matched by the region's prefix. */
static const struct {
	const char *prefix;
	aws_partition partition;
} partitions[] = {
	{"cn-", {"aws-cn", "amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1"}},
	{"us-gov-", {"aws-us-gov", "amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1"}},
	{"us-isob-", {"aws-iso-b", "sc2s.sgov.gov", "iam.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"}},
	{"us-isof-", {"aws-iso-f", "csp.hci.ic.gov", "iam.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"}},
	{"us-iso-", {"aws-iso", "c2s.ic.gov", "iam.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"}},
};

const aws_partition *aws_partition_of(const char *region)
{
	for (size_t i = 0; region && i < sizeof partitions / sizeof *partitions; i++)
		if (strncmp(region, partitions[i].prefix, strlen(partitions[i].prefix)) == 0)
			return &partitions[i].partition;
	return &aws;
}
