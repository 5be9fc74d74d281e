/* test_aws_protocol.c: reading AWS answers: error documents of both
 * protocols, XML paths, endpoint resolution and timestamps. */
#include "unit.h"

#include "client_internal.h"
#include "sts.h"

#include <libxml/parser.h>
#include <stdlib.h>

static http_response response(const char *body, const char *error_type)
{
	return (http_response){.status = 400, .body = (char *)body, .body_len = strlen(body),
			       .error_type = (char *)error_type};
}

TEST(json_error_code_loses_its_namespace)
{
	aws_error err = {0};
	http_response r = response("{\"__type\":\"com.amazonaws.ecs#ClusterNotFoundException\","
				   "\"message\":\"Cluster not found.\"}", NULL);
	aws_json_parse_error(&r, &err);
	CHECK_STR(err.code, "ClusterNotFoundException");
	CHECK_STR(err.message, "Cluster not found.");
	aws_error_clear(&err);
}

TEST(json_error_type_header_wins_and_loses_its_suffix)
{
	aws_error err = {0};
	http_response r = response("{\"Message\":\"Function not found\"}",
				   "ResourceNotFoundException:http://internal.amazon.com/coral/");
	aws_json_parse_error(&r, &err);
	CHECK_STR(err.code, "ResourceNotFoundException");
	CHECK_STR(err.message, "Function not found");
	aws_error_clear(&err);
}

TEST(json_error_that_is_not_json_says_so_without_quoting_it)
{
	aws_error err = {0};
	http_response r = response("<html>Internal Server Error</html>", NULL);
	aws_json_parse_error(&r, &err);
	CHECK(err.code == NULL);
	CHECK_STR(err.message, AWS_NO_ERROR_DOCUMENT);
	aws_error_clear(&err);
}

static xmlDoc *xml(const char *text)
{
	return xmlReadMemory(text, (int)strlen(text), NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
}

TEST(xml_path_prefers_the_shallowest_element)
{
	/* The cluster's own Status comes after a member's nested Status. */
	xmlDoc *doc = xml("<R xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DBCluster>"
			  "<AssociatedRoles><DBClusterRole><Status>ACTIVE</Status></DBClusterRole></AssociatedRoles>"
			  "<Status>available</Status><Endpoint>w.example</Endpoint></DBCluster></R>");
	xmlNode *root = xmlDocGetRootElement(doc);
	char *status = aws_xml_text(root, "DBCluster/Status");
	char *endpoint = aws_xml_text(root, "Endpoint");
	CHECK_STR(status, "available");
	CHECK_STR(endpoint, "w.example");
	CHECK(aws_xml_text(root, "DBCluster/Missing") == NULL);
	CHECK(aws_xml_find(root, "R") == root);
	CHECK_STR((const char *)aws_xml_find(root, "DBClusterRole")->name, "DBClusterRole");
	free(status);
	free(endpoint);
	xmlFreeDoc(doc);
}

TEST(endpoint_resolution_order)
{
	const char *pairs[] = {"ecs", "http://127.0.0.1:1", NULL};
	aws_client_config config = {.region = "eu-west-1", .endpoints = pairs};
	setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:2", 1);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:3", 1);
	aws_client *c = aws_client_new(&config);
	CHECK_STR(aws_client_endpoint(c, &aws_ecs), "http://127.0.0.1:1");
	CHECK_STR(aws_client_endpoint(c, &aws_ssm), "http://127.0.0.1:2");
	CHECK_STR(aws_client_endpoint(c, &aws_ecr), "http://127.0.0.1:3");
	aws_client_free(c);
	unsetenv("AWS_ENDPOINT_URL");
	c = aws_client_new(&config);
	CHECK_STR(aws_client_endpoint(c, &aws_ecr), "https://api.ecr.eu-west-1.amazonaws.com");
	CHECK_STR(aws_client_endpoint(c, &aws_iam), "https://iam.amazonaws.com");
	aws_client_free(c);
	unsetenv("AWS_ENDPOINT_URL_SSM");
}

TEST(timestamps_as_sts_and_container_endpoints_write_them)
{
	CHECK(aws_parse_timestamp("1970-01-02T00:00:00Z") == 86400);
	CHECK(aws_parse_timestamp("1970-01-02T00:00:00.123Z") == 86400);
	CHECK(aws_parse_timestamp("1970-01-02T01:00:00+01:00") == 86400);
	CHECK(aws_parse_timestamp("yesterday") == 0);
	CHECK(aws_parse_timestamp(NULL) == 0);
}

/* `insecure` reaches only these hosts (http_tls): anything that is not
 * plainly a loopback address, including look-alikes, stays verified. */
TEST(loopback_urls_are_the_only_ones_insecure_reaches)
{
	static const char *const loopback[] = {
		"https://127.0.0.1:4566/", "https://127.3.2.1", "https://localhost:8443/path",
		"https://LOCALHOST", "https://[::1]:443/", "http://127.0.0.1?x=1",
	};
	static const char *const elsewhere[] = {
		"https://ssm.eu-west-1.amazonaws.com/", "https://128.0.0.1/", "https://localhost.example.com/",
		"https://127.0.0.1.nip.io/", "https://user@127.0.0.1@evil.example/", "https://[::2]/",
		"https://10.0.0.1:443", "127.0.0.1", "https://", "https://[::1", "https://0.0.0.0/",
	};

	for (size_t i = 0; i < sizeof loopback / sizeof *loopback; i++)
		CHECK(http_url_is_loopback(loopback[i]));
	for (size_t i = 0; i < sizeof elsewhere / sizeof *elsewhere; i++)
		if (http_url_is_loopback(elsewhere[i]))
			unit_fail(__FILE__, __LINE__, elsewhere[i]);
}
