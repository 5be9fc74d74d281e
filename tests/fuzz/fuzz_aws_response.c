/* fuzz_aws_response.c: what an AWS endpoint (or anything posing as one)
 * may answer: error documents of both protocols, and answers read with the
 * XML path helpers the resources use. */
#include "client_internal.h"

#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

static const char *const paths[] = {"DBCluster/Status", "Error/Code", "Credentials/Expiration",
				    "securityGroupInfo/item/groupId", "Endpoint/Address", "", "/", "a//b"};

static void read_xml(const uint8_t *data, size_t size)
{
	xmlDoc *doc = xmlReadMemory((const char *)data, (int)size, NULL, NULL,
				    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	for (size_t i = 0; root && i < sizeof paths / sizeof *paths; i++) {
		free(aws_xml_text(root, paths[i]));
		aws_xml_find(root, "member");
	}
	xmlFreeDoc(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0 || size > (1u << 20))
		return 0;
	char *body = malloc(size);
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	http_response resp = {.status = 400, .body = body, .body_len = size - 1};
	aws_error err = {0};
	switch (data[0] % 4) {
	case 0:
		aws_json_parse_error(&resp, &err);
		break;
	case 1:
		aws_query_parse_error(&resp, &err);
		break;
	case 2:
		cJSON_Delete(aws_json_parse_answer(&aws_ecs, "Fuzz", &resp, &err));
		break;
	default:
		read_xml(data + 1, size - 1);
	}
	aws_error_clear(&err);
	free(body);
	return 0;
}
