/* query_protocol.c: AWS Query (RDS, IAM, STS, EC2). The request is a
 * form-encoded POST of Action, Version and the parameters; the answer is
 * XML, read with libxml2. Errors come as
 *   <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>
 * or, from EC2, <Response><Errors><Error>...</Error></Errors><RequestID/>. */
#include "client_internal.h"
#include "wipe.h"

#include <libxml/parser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deep enough for every answer we read; bounds the search on hostile XML. */
#define XML_SEARCH_DEPTH 12

static bool named(const xmlNode *n, const char *name, size_t len)
{
	return n->type == XML_ELEMENT_NODE && strlen((const char *)n->name) == len &&
	       strncmp((const char *)n->name, name, len) == 0;
}

/* The first element named name exactly `depth` levels below node. */
static xmlNode *find_at_depth(xmlNode *node, const char *name, size_t len, int depth)
{
	for (xmlNode *c = node->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		xmlNode *hit = depth == 1 ? (named(c, name, len) ? c : NULL) : find_at_depth(c, name, len, depth - 1);
		if (hit)
			return hit;
	}
	return NULL;
}

/* Shallowest first: an element's own <Status> wins over a <Status> nested
 * in one of its members that happens to come earlier in the document. */
static xmlNode *find_below(xmlNode *node, const char *name, size_t len)
{
	for (int depth = 1; node && depth <= XML_SEARCH_DEPTH; depth++) {
		xmlNode *hit = find_at_depth(node, name, len, depth);
		if (hit)
			return hit;
	}
	return NULL;
}

xmlNode *aws_xml_find(xmlNode *node, const char *name)
{
	if (!node)
		return NULL;
	return named(node, name, strlen(name)) ? node : find_below(node, name, strlen(name));
}

char *aws_xml_text(xmlNode *node, const char *path)
{
	for (const char *step = path; node && *step;) {
		size_t len = strcspn(step, "/");
		node = find_below(node, step, len);
		step += len + (step[len] == '/');
	}
	if (!node)
		return NULL;
	xmlChar *content = xmlNodeGetContent(node);
	char *text = strdup(content ? (const char *)content : "");
	xmlFree(content);
	return text;
}

static xmlDoc *parse_xml(const http_response *resp)
{
	if (!resp->body || resp->body_len == 0 || resp->body_len > INT32_MAX)
		return NULL;
	return xmlReadMemory(resp->body, (int)resp->body_len, NULL, NULL,
			     XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static const char *xml_answer_problem(const http_response *resp)
{
	xmlDoc *doc = parse_xml(resp);
	xmlFreeDoc(doc);
	return doc ? NULL : "the answer is not valid XML";
}

void aws_query_parse_error(const http_response *resp, aws_error *err)
{
	xmlDoc *doc = parse_xml(resp);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	xmlNode *error = aws_xml_find(root, "Error");

	free(err->code);
	free(err->message);
	err->code = error ? aws_xml_text(error, "Code") : NULL;
	err->message = error ? aws_xml_text(error, "Message") : NULL;
	if (!err->message && !doc)
		err->message = strdup(AWS_NO_ERROR_DOCUMENT);
	if (!err->request_id && root) {
		err->request_id = aws_xml_text(root, "RequestId");
		if (!err->request_id)
			err->request_id = aws_xml_text(root, "RequestID");
	}
	xmlFreeDoc(doc);
}

/* Form encoding: RFC 3986 percent-encoding with a space as '+', which is
 * what x-www-form-urlencoded and the AWS SDKs send. It matters beyond
 * taste: a server that re-encodes the form to check the body hash (moto
 * does) must arrive at our bytes. Returns malloc'd text. */
static char *form_encode(const char *s)
{
	char *encoded = sigv4_uri_encode(s, strlen(s), true), *out = encoded;
	for (const char *in = encoded; *in; out++) {
		bool space = strncmp(in, "%20", 3) == 0;
		*out = space ? '+' : *in;
		in += space ? 3 : 1;
	}
	*out = '\0';
	return encoded;
}

/* Appends "&name=value", both form-encoded. A value may be a secret
 * (MasterUserPassword): every copy goes back zeroed (wipe.h). */
static void append_param(wipe_buf *body, const char *name, const char *value)
{
	char *n = form_encode(name);
	char *v = form_encode(value);
	wipe_buf_printf(body, "&%s=%s", n, v);
	free(n);
	wipe_free(v);
}

/* The form, malloc'd (free with wipe_free). */
static char *form_body(const aws_service *svc, const char *action, const aws_param *params, size_t count,
		       size_t *len)
{
	wipe_buf body = {0};
	wipe_buf_printf(&body, "Action=%s&Version=%s", action, svc->query_version);
	for (size_t i = 0; i < count; i++)
		append_param(&body, params[i].name, params[i].value ? params[i].value : "");
	return wipe_buf_take(&body, len);
}

xmlDoc *aws_query_call(aws_client *client, const aws_service *svc, const char *action, const aws_param *params,
		       size_t count, double deadline, aws_error *err)
{
	size_t len;
	http_response resp;
	char *body = form_body(svc, action, params, count, &len);
	aws_request req = {.operation = action, .method = "POST", .path = "/",
			   .content_type = "application/x-www-form-urlencoded; charset=utf-8", .body = body,
			   .body_len = len, .answer_problem = xml_answer_problem};
	xmlDoc *answer = NULL;
	if (aws_client_send(client, svc, &req, aws_query_parse_error, deadline, &resp, err) == 0) {
		answer = parse_xml(&resp);
		if (!answer)
			aws_error_set(err, svc, action, (int)resp.status, "MalformedResponse",
				      "the answer is not valid XML", resp.request_id);
	}
	http_response_free(&resp);
	wipe_free(body);
	return answer;
}
