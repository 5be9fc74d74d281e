/* test_credentials.c: the credential chain (aws/credentials.c). Each test
 * runs in a sandbox: the AWS variables saved and cleared, instance metadata
 * disabled, and the shared files pointed into a fresh temporary directory.
 * STS is a real moto server (tests/unit/run.sh starts it and names it in
 * MOTO_* variables); the container and instance metadata endpoints, which
 * moto does not offer, are played by a small server on 127.0.0.1 that
 * answers one request per connection. */
#include "unit.h"

#include "client.h"
#include "client_internal.h"
#include "credentials.h"
#include "sts.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* 2099-01-01T00:00:00Z */
#define FAR_FUTURE 4070908800

/* ---- sandbox ---- */

/* Never the MOTO_* variables: they name the moto servers for every test. */
static const char *const sandboxed_variables[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "http_proxy",
	"https_proxy", "all_proxy", "ALL_PROXY", "HTTPS_PROXY", NULL};
#define SANDBOXED_COUNT (sizeof sandboxed_variables / sizeof *sandboxed_variables - 1)

/* Files a test may write into the sandbox directory. */
static const char *const sandbox_files[] = {"credentials", "config", "token", NULL};

typedef struct {
	char *saved[SANDBOXED_COUNT];
	char dir[64];
} sandbox;

static char *sandbox_path(const sandbox *sb, const char *name)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", sb->dir, name) < 0)
		abort();
	return path;
}

static void sandbox_setenv_path(const sandbox *sb, const char *variable, const char *name)
{
	char *path = sandbox_path(sb, name);
	setenv(variable, path, 1);
	free(path);
}

static void sandbox_enter(sandbox *sb)
{
	for (size_t i = 0; i < SANDBOXED_COUNT; i++) {
		const char *v = getenv(sandboxed_variables[i]);
		sb->saved[i] = v ? strdup(v) : NULL;
		unsetenv(sandboxed_variables[i]);
	}
	strcpy(sb->dir, "/tmp/wagtail-credentials-XXXXXX");
	if (!mkdtemp(sb->dir))
		abort();
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	/* Not written yet: a missing file reads as empty. */
	sandbox_setenv_path(sb, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
	sandbox_setenv_path(sb, "AWS_CONFIG_FILE", "config");
}

static void sandbox_leave(sandbox *sb)
{
	for (const char *const *name = sandbox_files; *name; name++) {
		char *path = sandbox_path(sb, *name);
		unlink(path);
		free(path);
	}
	rmdir(sb->dir);
	for (size_t i = 0; i < SANDBOXED_COUNT; i++) {
		if (sb->saved[i])
			setenv(sandboxed_variables[i], sb->saved[i], 1);
		else
			unsetenv(sandboxed_variables[i]);
		free(sb->saved[i]);
	}
}

static void sandbox_write(const sandbox *sb, const char *name, const char *text)
{
	char *path = sandbox_path(sb, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
	free(path);
}

/* Whether any diagnostic's summary or detail contains text. */
static bool diags_mention(const diag_list *diags, const char *text)
{
	for (size_t i = 0; i < diags->count; i++)
		if (strstr(diags->items[i].summary, text) ||
		    (diags->items[i].detail && strstr(diags->items[i].detail, text)))
			return true;
	return false;
}

/* ---- a one-request-per-connection HTTP server on 127.0.0.1 ---- */

typedef struct fake_server fake_server;

/* Writes the answer's body into body; returns the HTTP status. */
typedef int (*fake_handler)(fake_server *server, const char *request, char *body, size_t size);

struct fake_server {
	int listener, port;
	pthread_t thread;
	atomic_bool stop;
	fake_handler handler;
	const char *expiration; /* what credential answers say */
	int hits;
	char log[32768]; /* every request, in order */
};

/* Reads headers and a Content-Length body. Returns the length read. */
static size_t read_request(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0) {
		len += (size_t)n;
		buf[len] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		const char *cl = strcasestr(buf, "\r\nContent-Length:");
		size_t body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
		if (len >= (size_t)(end + 4 - buf) + body)
			break;
	}
	buf[len] = '\0';
	return len;
}

static void serve_one(fake_server *server, int fd)
{
	char request[16384], body[4096], *answer = NULL;
	read_request(fd, request, sizeof request);
	server->hits++;
	strncat(server->log, request, sizeof server->log - strlen(server->log) - 1);
	int status = server->handler(server, request, body, sizeof body);
	int len = asprintf(&answer, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
			   strlen(body), body);
	if (len < 0 || write(fd, answer, (size_t)len) != len)
		abort();
	free(answer);
}

static void *serve(void *arg)
{
	fake_server *server = arg;
	while (!atomic_load(&server->stop)) {
		struct pollfd p = {.fd = server->listener, .events = POLLIN};
		if (poll(&p, 1, 20) <= 0)
			continue;
		int fd = accept(server->listener, NULL, NULL);
		if (fd < 0)
			continue;
		serve_one(server, fd);
		close(fd);
	}
	return NULL;
}

static fake_server *server_start(fake_handler handler)
{
	fake_server *server = calloc(1, sizeof *server);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof addr;
	server->handler = handler;
	server->expiration = "2099-01-01T00:00:00Z";
	server->listener = socket(AF_INET, SOCK_STREAM, 0);
	if (server->listener < 0 || bind(server->listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
	    listen(server->listener, 8) != 0 || getsockname(server->listener, (struct sockaddr *)&addr, &len) != 0)
		abort();
	server->port = ntohs(addr.sin_port);
	pthread_create(&server->thread, NULL, serve, server);
	return server;
}

/* Stops serving; the log and hit count stay readable until server_free. */
static void server_stop(fake_server *server)
{
	atomic_store(&server->stop, true);
	pthread_join(server->thread, NULL);
	close(server->listener);
}

static char *server_url(const fake_server *server, const char *path)
{
	char *url = NULL;
	if (asprintf(&url, "http://127.0.0.1:%d%s", server->port, path) < 0)
		abort();
	return url;
}

/* Container endpoint: a new key on each hit, so refreshes are visible. */
static int container_handler(fake_server *server, const char *request, char *body, size_t size)
{
	if (strncmp(request, "GET /creds ", 11) != 0)
		return 404;
	snprintf(body, size,
		 "{\"AccessKeyId\": \"AKCONT%d\", \"SecretAccessKey\": \"SECRETCONT\", \"Token\": \"TOKCONT\", "
		 "\"Expiration\": \"%s\"}", server->hits, server->expiration);
	return 200;
}

static int metadata_handler(fake_server *server, const char *request, char *body, size_t size)
{
	*body = '\0';
	if (strncmp(request, "PUT /latest/api/token ", 22) == 0) {
		snprintf(body, size, "IMDSTOKEN");
		return 200;
	}
	if (!strstr(request, "X-aws-ec2-metadata-token: IMDSTOKEN"))
		return 401;
	if (strncmp(request, "GET /latest/meta-data/iam/security-credentials/ ", 48) == 0) {
		snprintf(body, size, "web-role\n");
		return 200;
	}
	if (strncmp(request, "GET /latest/meta-data/iam/security-credentials/web-role ", 56) == 0) {
		snprintf(body, size,
			 "{\"Code\": \"Success\", \"Type\": \"AWS-HMAC\", \"AccessKeyId\": \"AKIMDS\", "
			 "\"SecretAccessKey\": \"SECRETIMDS\", \"Token\": \"TOKIMDS\", \"Expiration\": \"%s\"}",
			 server->expiration);
		return 200;
	}
	return 404;
}

/* ---- helpers over the interface ---- */

/* The credentials a fresh source yields for config, or false. */
static bool get_once(const credentials_config *config, aws_credentials *out, diag_list *diags)
{
	credentials_source *source = credentials_source_new(config, diags);
	bool ok = source && credentials_get(source, out, diags) == 0;
	credentials_source_free(source);
	return ok;
}

/* What a lookup should yield: every field is compared, and a NULL token
 * or an expiration of 0 means the credentials have none. */
typedef struct {
	const char *key, *secret, *token, *source;
	time_t expiration;
} want_credentials;

static bool same_text(const char *got, const char *want)
{
	return got && want ? strcmp(got, want) == 0 : got == want;
}

/* True when config resolves, without a diagnostic, to exactly want. */
static bool resolves_to(const credentials_config *config, want_credentials want)
{
	aws_credentials c = {0};
	diag_list diags = {0};
	bool same = get_once(config, &c, &diags) && diags.count == 0 && same_text(c.access_key_id, want.key) &&
		    same_text(c.secret_access_key, want.secret) && same_text(c.session_token, want.token) &&
		    same_text(c.source, want.source) && c.expiration == want.expiration;
	aws_credentials_clear(&c);
	diag_list_clear(&diags);
	return same;
}

/* ---- explicit and environment ---- */

TEST(credentials_explicit_keys_win_over_environment)
{
	sandbox sb;
	sandbox_enter(&sb);
	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV", 1);
	credentials_config config = {.access_key = "AKEXPLICIT", .secret_key = "SECRETEXPLICIT", .token = "TOK",
				     .region = "eu-west-1"};
	CHECK(resolves_to(&config, (want_credentials){"AKEXPLICIT", "SECRETEXPLICIT", "TOK", "explicit"}));
	sandbox_leave(&sb);
}

TEST(credentials_explicit_access_key_needs_secret_key)
{
	sandbox sb;
	sandbox_enter(&sb);
	credentials_config config = {.access_key = "AKEXPLICIT", .region = "eu-west-1"};
	diag_list diags = {0};
	CHECK(credentials_source_new(&config, &diags) == NULL);
	CHECK(diags_mention(&diags, "secret_key"));
	diag_list_clear(&diags);
	sandbox_leave(&sb);
}

TEST(credentials_environment_keys_with_session_token)
{
	sandbox sb;
	sandbox_enter(&sb);
	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV", 1);
	setenv("AWS_SESSION_TOKEN", "TOKENV", 1);
	credentials_config config = {.region = "eu-west-1"};
	CHECK(resolves_to(&config, (want_credentials){"AKENV", "SECRETENV", "TOKENV", "environment"}));
	sandbox_leave(&sb);
}

/* ---- shared files ---- */

TEST(credentials_shared_file_named_profile)
{
	sandbox sb;
	sandbox_enter(&sb);
	sandbox_write(&sb, "credentials",
		      "[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = SECRETDEFAULT\n\n"
		      "[dev]\naws_access_key_id = AKDEV\naws_secret_access_key = SECRETDEV\n"
		      "aws_session_token = TOKDEV\n"
		      "[ops]\naws_access_key_id = AKOPS\naws_secret_access_key = SECRETOPS\n");
	setenv("AWS_PROFILE", "ops", 1);

	/* The profile argument wins over AWS_PROFILE, which wins over default. */
	credentials_config config = {.profile = "dev", .region = "eu-west-1"};
	CHECK(resolves_to(&config, (want_credentials){"AKDEV", "SECRETDEV", "TOKDEV", "shared_credentials"}));
	config.profile = NULL;
	CHECK(resolves_to(&config, (want_credentials){"AKOPS", "SECRETOPS", NULL, "shared_credentials"}));
	unsetenv("AWS_PROFILE");
	CHECK(resolves_to(&config, (want_credentials){"AKDEFAULT", "SECRETDEFAULT", NULL, "shared_credentials"}));
	sandbox_leave(&sb);
}

TEST(credentials_config_file_profile_section)
{
	sandbox sb;
	sandbox_enter(&sb);
	sandbox_write(&sb, "config",
		      "[default]\nregion = eu-west-1\naws_access_key_id = AKCONFDEFAULT\n"
		      "aws_secret_access_key = SECRETCONFDEFAULT\n"
		      "[x]\naws_access_key_id = AKWRONG\naws_secret_access_key = SECRETWRONG\n"
		      "[profile x]\naws_access_key_id = AKX\naws_secret_access_key = SECRETX\n");
	credentials_config config = {.profile = "x", .region = "eu-west-1"};
	CHECK(resolves_to(&config, (want_credentials){"AKX", "SECRETX", NULL, "shared_credentials"}));
	config.profile = NULL;
	CHECK(resolves_to(&config, (want_credentials){"AKCONFDEFAULT", "SECRETCONFDEFAULT", NULL, "shared_credentials"}));
	sandbox_leave(&sb);
}

TEST(credentials_credential_process_json)
{
	sandbox sb;
	sandbox_enter(&sb);
	sandbox_write(&sb, "config",
		      "[profile proc]\ncredential_process = printf '{\"Version\": 1, \"AccessKeyId\": \"AKPROC\", "
		      "\"SecretAccessKey\": \"SECRETPROC\", \"SessionToken\": \"TOKPROC\", "
		      "\"Expiration\": \"2099-01-01T01:00:00.123+01:00\"}'\n");
	credentials_config config = {.profile = "proc", .region = "eu-west-1"};
	CHECK(resolves_to(&config,
			  (want_credentials){"AKPROC", "SECRETPROC", "TOKPROC", "credential_process", FAR_FUTURE}));
	sandbox_leave(&sb);
}

TEST(credentials_credential_process_failures_hide_output)
{
	static const char *const commands[] = {
		"printf '{\"Version\": 2, \"AccessKeyId\": \"AKLEAK\", \"SecretAccessKey\": \"SECRETLEAK\"}'",
		"printf '{\"Version\": 1, \"AccessKeyId\": \"AKLEAK\", \"SecretAccessKey\": \"SECRETLEAK\"'",
		"printf SECRETLEAK; exit 3",
		NULL,
	};
	static const char *const reasons[] = {"Version", "not JSON", "status 3"};
	for (int i = 0; commands[i]; i++) {
		sandbox sb;
		char *text = NULL;
		sandbox_enter(&sb);
		if (asprintf(&text, "[profile proc]\ncredential_process = %s\n", commands[i]) < 0)
			abort();
		sandbox_write(&sb, "config", text);
		diag_list diags = {0};
		credentials_config config = {.profile = "proc", .region = "eu-west-1"};
		CHECK(credentials_source_new(&config, &diags) == NULL);
		CHECK(diags_mention(&diags, "\"proc\""));
		CHECK(diags_mention(&diags, reasons[i]));
		CHECK(!diags_mention(&diags, "SECRETLEAK"));
		CHECK(!diags_mention(&diags, "AKLEAK"));
		diag_list_clear(&diags);
		free(text);
		sandbox_leave(&sb);
	}
}

TEST(credentials_missing_named_profile_is_an_error)
{
	sandbox sb;
	sandbox_enter(&sb);
	sandbox_write(&sb, "credentials",
		      "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = SECRETDEF\n");
	diag_list diags = {0};
	credentials_config config = {.profile = "nosuch", .region = "eu-west-1"};
	CHECK(credentials_source_new(&config, &diags) == NULL);
	CHECK(diags_mention(&diags, "\"nosuch\""));
	CHECK(diag_has_error(&diags));
	diag_list_clear(&diags);

	/* Named through the environment, just the same. */
	setenv("AWS_PROFILE", "alsomissing", 1);
	config.profile = NULL;
	CHECK(credentials_source_new(&config, &diags) == NULL);
	CHECK(diags_mention(&diags, "\"alsomissing\""));
	diag_list_clear(&diags);
	sandbox_leave(&sb);
}

TEST(credentials_no_source_names_what_was_tried)
{
	sandbox sb;
	sandbox_enter(&sb);
	diag_list diags = {0};
	credentials_config config = {.region = "eu-west-1"};
	CHECK(credentials_source_new(&config, &diags) == NULL);
	CHECK(diags.count == 1);
	CHECK(diag_has_error(&diags));
	CHECK(diags_mention(&diags, "AWS_ACCESS_KEY_ID"));
	CHECK(diags_mention(&diags, "AWS_WEB_IDENTITY_TOKEN_FILE"));
	CHECK(diags_mention(&diags, "profile \"default\""));
	CHECK(diags_mention(&diags, sb.dir));
	CHECK(diags_mention(&diags, "AWS_CONTAINER_CREDENTIALS"));
	CHECK(diags_mention(&diags, "AWS_EC2_METADATA_DISABLED"));
	diag_list_clear(&diags);
	sandbox_leave(&sb);
}

TEST(credentials_profile_without_credentials_falls_through)
{
	sandbox sb;
	sandbox_enter(&sb);
	sandbox_write(&sb, "config", "[default]\nregion = eu-west-1\n");
	diag_list diags = {0};
	credentials_config config = {.region = "eu-west-1"};
	CHECK(credentials_source_new(&config, &diags) == NULL);
	CHECK(diags_mention(&diags, "No AWS credentials found"));
	CHECK(diags_mention(&diags, "no credentials in it"));
	diag_list_clear(&diags);
	sandbox_leave(&sb);
}

TEST(credentials_source_profile_loop_is_an_error)
{
	sandbox sb;
	sandbox_enter(&sb);
	sandbox_write(&sb, "config",
		      "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n"
		      "aws_secret_access_key = SECRETA\n"
		      "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n");
	diag_list diags = {0};
	credentials_config config = {.profile = "a", .region = "eu-west-1"};
	CHECK(credentials_source_new(&config, &diags) == NULL);
	CHECK(diags_mention(&diags, "loop"));
	CHECK(!diags_mention(&diags, "SECRETA"));
	diag_list_clear(&diags);
	sandbox_leave(&sb);
}

/* ---- STS, against moto: assume_role, role profiles, web identity ---- */

typedef struct {
	const char *endpoint;  /* MOTO_ENDPOINT: checks signatures */
	sigv4_credentials key; /* MOTO_ACCESS_KEY, MOTO_SECRET_KEY: an IAM user allowed everything there */
	const char *unchecked_endpoint; /* MOTO_UNCHECKED_ENDPOINT: checks none */
} moto_servers;

/* The servers tests/unit/run.sh started, or false (and the test fails
 * saying how to run it) when the variables are missing. */
static bool moto_servers_get(moto_servers *m)
{
	static const char *const variables[] = {"MOTO_ENDPOINT", "MOTO_ACCESS_KEY", "MOTO_SECRET_KEY",
						"MOTO_UNCHECKED_ENDPOINT"};
	const char *values[4];
	char missing[128] = "";
	for (size_t i = 0; i < 4; i++) {
		values[i] = getenv(variables[i]);
		if (!values[i] || !*values[i])
			snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
				 *missing ? ", " : "", variables[i]);
	}
	if (*missing) {
		char *message = NULL;
		if (asprintf(&message,
			     "no moto server (%s not set): this test calls a real moto_server; run the unit tests "
			     "with `tests/unit/run.sh build/unit-tests [FILTER]` or `make unit`, which start moto "
			     "and set MOTO_ENDPOINT, MOTO_ACCESS_KEY, MOTO_SECRET_KEY and MOTO_UNCHECKED_ENDPOINT",
			     missing) < 0)
			abort();
		unit_fail(__FILE__, __LINE__, message);
		free(message);
		return false;
	}
	*m = (moto_servers){values[0], {values[1], values[2], NULL}, values[3]};
	return true;
}

/* Records an AWS call's failure as the test's. */
static void fail_with(const char *file, int line, const aws_error *err)
{
	char *message = NULL;
	if (asprintf(&message, "%s failed: HTTP %d %s: %s", err->operation, err->http_status,
		     err->code ? err->code : "", err->message ? err->message : "") < 0)
		abort();
	unit_fail(file, line, message);
	free(message);
}

/* The ARN of role `name` in moto's IAM at endpoint (made with our own
 * client, signed with key), created unless an earlier run made it. STS
 * answers for any role ARN, but moto checks later calls signed with the
 * role's credentials against the role's policies, so it must exist. NULL
 * (and the test fails) when IAM says no. */
static char *moto_role(const char *endpoint, const sigv4_credentials *key, const char *name)
{
	/* Spaces on purpose: moto checks a form body's signature against the
	 * form as it re-encodes it ('+' for a space), so this call passes only
	 * if our form encoding is the SDKs' (query_protocol.c). */
	static const char trust[] =
		"{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": "
		"\"*\"}, \"Action\": [\"sts:AssumeRole\", \"sts:AssumeRoleWithWebIdentity\"]}]}";
	aws_client *iam = aws_client_new_fixed("us-east-1", endpoint, &aws_iam, key, (http_tls){0});
	aws_param params[] = {{"RoleName", name}, {"AssumeRolePolicyDocument", trust}};
	aws_error err = {0};
	xmlDoc *doc = aws_query_call(iam, &aws_iam, "CreateRole", params, 2, 0, &err);
	if (!doc && aws_error_is(&err, "EntityAlreadyExists")) {
		aws_error_clear(&err);
		doc = aws_query_call(iam, &aws_iam, "GetRole", params, 1, 0, &err);
	}
	char *arn = doc ? aws_xml_text(xmlDocGetRootElement(doc), "Role/Arn") : NULL;
	if (!doc)
		fail_with(__FILE__, __LINE__, &err);
	else if (!arn)
		unit_fail(__FILE__, __LINE__, "moto's IAM answered without Role/Arn");
	xmlFreeDoc(doc);
	aws_error_clear(&err);
	aws_client_free(iam);
	return arn;
}

/* Who moto at endpoint says c are (sts:GetCallerIdentity signed with
 * them): an ARN, or NULL (and the test fails). Against the checking server
 * an answer proves that moto issued c and that they sign. */
static char *caller_arn(const char *endpoint, const aws_credentials *c)
{
	sigv4_credentials key = {c->access_key_id, c->secret_access_key, c->session_token};
	aws_client *sts = aws_client_new_fixed("us-east-1", endpoint, &aws_sts, &key, (http_tls){0});
	aws_error err = {0};
	char *arn = NULL;
	if (sts_get_caller_identity(sts, 0, NULL, &arn, NULL, &err) != 0)
		fail_with(__FILE__, __LINE__, &err);
	aws_error_clear(&err);
	aws_client_free(sts);
	return arn;
}

/* The ARN STS gives a session of role_arn ("arn:aws:iam::ACCOUNT:role/NAME"). */
static char *assumed_role_arn(const char *role_arn, const char *session)
{
	const char *prefix = "arn:aws:iam::", *account = role_arn + strlen(prefix);
	const char *role = strstr(role_arn, ":role/");
	char *arn = NULL;
	if (strncmp(role_arn, prefix, strlen(prefix)) != 0 || !role ||
	    asprintf(&arn, "arn:aws:sts::%.*s:assumed-role/%s/%s", (int)(role - account), account,
		     role + strlen(":role/"), session) < 0)
		abort();
	return arn;
}

/* Temporary credentials that expire about `seconds` from now. */
static bool expires_in(const aws_credentials *c, long seconds)
{
	time_t now = time(NULL);
	return c->expiration > now + seconds - 60 && c->expiration <= now + seconds + 60;
}

TEST(credentials_assume_role_signs_with_chain_credentials)
{
	moto_servers moto;
	if (!moto_servers_get(&moto))
		return;
	sandbox sb;
	sandbox_enter(&sb);
	char *role_arn = moto_role(moto.endpoint, &moto.key, "deployer");
	aws_assume_role role = {.role_arn = role_arn, .external_id = "ext-1", .duration_seconds = 900};
	credentials_config config = {.access_key = moto.key.access_key_id, .secret_key = moto.key.secret_access_key,
				     .assume_role = &role, .region = "eu-west-1", .sts_endpoint = moto.endpoint};
	aws_credentials c = {0};
	diag_list diags = {0};
	CHECK(role_arn && get_once(&config, &c, &diags));
	CHECK(diags.count == 0);
	CHECK_STR(c.source, "assume_role");
	CHECK(c.access_key_id && strcmp(c.access_key_id, moto.key.access_key_id) != 0);
	CHECK(c.secret_access_key && c.session_token);
	CHECK(expires_in(&c, 900)); /* DurationSeconds reached STS */
	/* moto checked AssumeRole's signature, so the chain's keys signed it;
	 * the role's session works and carries the default session name. */
	if (c.access_key_id && role_arn) {
		char *arn = caller_arn(moto.endpoint, &c);
		char *want = assumed_role_arn(role_arn, "terraform-provider-wagtail");
		CHECK_STR(arn, want);
		free(arn);
		free(want);
	}
	aws_credentials_clear(&c);
	diag_list_clear(&diags);
	free(role_arn);
	sandbox_leave(&sb);
}

TEST(credentials_assume_role_failure_names_the_call_not_the_secret)
{
	moto_servers moto;
	if (!moto_servers_get(&moto))
		return;
	/* Keys moto never issued, and moto's own key signed with a wrong
	 * secret: moto refuses each AssumeRole with a 403. */
	const struct {
		const char *access_key, *secret_key, *token, *code;
	} cases[] = {
		{"AKIAUNKNOWN000000000", "SECRETBASE", "TOKBASE", "InvalidClientTokenId"},
		{moto.key.access_key_id, "SECRETBASE", NULL, "SignatureDoesNotMatch"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		sandbox sb;
		sandbox_enter(&sb);
		aws_assume_role role = {.role_arn = "arn:aws:iam::123456789012:role/deployer"};
		credentials_config config = {.access_key = cases[i].access_key, .secret_key = cases[i].secret_key,
					     .token = cases[i].token, .assume_role = &role, .region = "eu-west-1",
					     .sts_endpoint = moto.endpoint};
		diag_list diags = {0};
		CHECK(credentials_source_new(&config, &diags) == NULL);
		CHECK(diag_has_error(&diags));
		CHECK(diags_mention(&diags, "sts:AssumeRole failed"));
		CHECK(diags_mention(&diags, cases[i].code));
		CHECK(diags_mention(&diags, "role/deployer"));
		CHECK(!diags_mention(&diags, "SECRETBASE"));
		CHECK(!diags_mention(&diags, "TOKBASE"));
		CHECK(!diags_mention(&diags, moto.key.secret_access_key));
		diag_list_clear(&diags);
		sandbox_leave(&sb);
	}
}

TEST(credentials_role_profile_uses_source_profile_keys)
{
	moto_servers moto;
	if (!moto_servers_get(&moto))
		return;
	sandbox sb;
	sandbox_enter(&sb);
	char *role_arn = moto_role(moto.endpoint, &moto.key, "deploy"), *text = NULL;
	/* moto's key is only in the source profile: AssumeRole can only have
	 * been signed with it. */
	if (asprintf(&text, "[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		     moto.key.access_key_id, moto.key.secret_access_key) < 0)
		abort();
	sandbox_write(&sb, "credentials", text);
	free(text);
	if (asprintf(&text, "[profile deploy]\nrole_arn = %s\nsource_profile = base\nrole_session_name = me\n",
		     role_arn ? role_arn : "unknown") < 0)
		abort();
	sandbox_write(&sb, "config", text);
	free(text);
	credentials_config config = {.profile = "deploy", .region = "eu-west-1", .sts_endpoint = moto.endpoint};
	aws_credentials c = {0};
	diag_list diags = {0};
	CHECK(role_arn && get_once(&config, &c, &diags));
	CHECK(diags.count == 0);
	CHECK_STR(c.source, "profile_assume_role");
	CHECK(c.access_key_id && strcmp(c.access_key_id, moto.key.access_key_id) != 0);
	CHECK(c.session_token != NULL);
	CHECK(expires_in(&c, 3600));
	if (c.access_key_id && role_arn) {
		char *arn = caller_arn(moto.endpoint, &c);
		char *want = assumed_role_arn(role_arn, "me"); /* role_session_name */
		CHECK_STR(arn, want);
		free(arn);
		free(want);
	}
	aws_credentials_clear(&c);
	diag_list_clear(&diags);
	free(role_arn);
	sandbox_leave(&sb);
}

/* Against the moto server that checks no signatures: moto 5.2.1, while it
 * checks signatures, answers an unsigned AssumeRoleWithWebIdentity (which
 * AWS takes unsigned, the token being the proof) with HTTP 500 instead of
 * serving it. moto ignores the token itself. */
TEST(credentials_web_identity_is_unsigned)
{
	moto_servers moto;
	if (!moto_servers_get(&moto))
		return;
	sandbox sb;
	sandbox_enter(&sb);
	/* The unchecked server takes any key for IAM. */
	const sigv4_credentials anyone = {"AKIAANYONE0000000000", "SECRETANYONE", NULL};
	char *role_arn = moto_role(moto.unchecked_endpoint, &anyone, "web");
	sandbox_write(&sb, "token", "OIDCTOKEN\n");
	sandbox_setenv_path(&sb, "AWS_WEB_IDENTITY_TOKEN_FILE", "token");
	setenv("AWS_ROLE_ARN", role_arn ? role_arn : "unknown", 1);
	setenv("AWS_ROLE_SESSION_NAME", "oidc-session", 1);
	credentials_config config = {.region = "eu-west-1", .sts_endpoint = moto.unchecked_endpoint};
	aws_credentials c = {0};
	diag_list diags = {0};
	CHECK(role_arn && get_once(&config, &c, &diags));
	CHECK(diags.count == 0);
	CHECK_STR(c.source, "web_identity");
	CHECK(c.access_key_id && c.secret_access_key && c.session_token);
	CHECK(expires_in(&c, 3600));
	if (c.access_key_id && role_arn) {
		char *arn = caller_arn(moto.unchecked_endpoint, &c);
		char *want = assumed_role_arn(role_arn, "oidc-session"); /* AWS_ROLE_SESSION_NAME */
		CHECK_STR(arn, want);
		free(arn);
		free(want);
	}
	aws_credentials_clear(&c);
	diag_list_clear(&diags);
	free(role_arn);
	sandbox_leave(&sb);
}

/* ---- container and instance metadata ---- */

TEST(credentials_container_full_uri_with_token_file_and_refresh)
{
	sandbox sb;
	sandbox_enter(&sb);
	fake_server *server = server_start(container_handler);
	char *url = server_url(server, "/creds"), soon[32];
	time_t in_a_minute = time(NULL) + 60;
	strftime(soon, sizeof soon, "%Y-%m-%dT%H:%M:%SZ", gmtime(&in_a_minute));
	server->expiration = soon;
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "FROMVARIABLE", 1);
	sandbox_write(&sb, "token", "FROMFILE\n");
	sandbox_setenv_path(&sb, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "token");

	credentials_config config = {.region = "eu-west-1"};
	aws_credentials c = {0};
	diag_list diags = {0};
	credentials_source *source = credentials_source_new(&config, &diags);
	CHECK(source != NULL);
	/* A minute left is inside the refresh margin: each get fetches anew. */
	CHECK(source && credentials_get(source, &c, &diags) == 0);
	CHECK_STR(c.access_key_id, "AKCONT2");
	CHECK_STR(c.secret_access_key, "SECRETCONT");
	CHECK_STR(c.session_token, "TOKCONT");
	CHECK(c.expiration == in_a_minute);
	CHECK_STR(c.source, "container");
	credentials_source_free(source);
	server_stop(server);
	CHECK(server->hits == 2);
	CHECK(strstr(server->log, "Authorization: FROMFILE\r\n") != NULL);
	CHECK(!strstr(server->log, "FROMVARIABLE"));
	aws_credentials_clear(&c);
	diag_list_clear(&diags);
	free(url);
	free(server);
	sandbox_leave(&sb);
}

TEST(credentials_container_refuses_remote_plain_http)
{
	sandbox sb;
	sandbox_enter(&sb);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "SECRETAUTH", 1);
	credentials_config config = {.region = "eu-west-1"};
	diag_list diags = {0};
	CHECK(credentials_source_new(&config, &diags) == NULL);
	CHECK(diags_mention(&diags, "example.com"));
	CHECK(!diags_mention(&diags, "SECRETAUTH"));
	diag_list_clear(&diags);
	sandbox_leave(&sb);
}

TEST(credentials_instance_metadata_v2)
{
	sandbox sb;
	sandbox_enter(&sb);
	fake_server *server = server_start(metadata_handler);
	char *endpoint = server_url(server, "/");
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint, 1);
	credentials_config config = {.region = "eu-west-1"};
	CHECK(resolves_to(&config,
			  (want_credentials){"AKIMDS", "SECRETIMDS", "TOKIMDS", "instance_metadata", FAR_FUTURE}));
	server_stop(server);
	CHECK(server->hits == 3);
	CHECK(strstr(server->log, "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\n") != NULL);
	free(endpoint);
	free(server);
	sandbox_leave(&sb);
}

/* ---- the values themselves ---- */

TEST(credentials_clear_zeroes)
{
	aws_credentials c = {strdup("AK"), strdup("SECRET"), strdup("TOK"), 5, "test"};
	aws_credentials_clear(&c);
	CHECK(!c.access_key_id && !c.secret_access_key && !c.session_token && c.expiration == 0 && !c.source);
}

static void *get_many(void *arg)
{
	credentials_source *source = arg;
	for (int i = 0; i < 200; i++) {
		aws_credentials c = {0};
		diag_list diags = {0};
		if (credentials_get(source, &c, &diags) != 0 || strcmp(c.access_key_id, "AKEXPLICIT") != 0)
			return (void *)1;
		aws_credentials_clear(&c);
	}
	return NULL;
}

TEST(credentials_get_from_many_threads)
{
	sandbox sb;
	sandbox_enter(&sb);
	credentials_config config = {.access_key = "AKEXPLICIT", .secret_key = "SECRETEXPLICIT",
				     .region = "eu-west-1"};
	diag_list diags = {0};
	credentials_source *source = credentials_source_new(&config, &diags);
	pthread_t threads[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&threads[i], NULL, get_many, source);
	for (int i = 0; i < 4; i++) {
		void *failed;
		pthread_join(threads[i], &failed);
		CHECK(failed == NULL);
	}
	credentials_source_free(source);
	sandbox_leave(&sb);
}
