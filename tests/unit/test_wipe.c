/* test_wipe.c: the zeroing allocator and buffer (core/wipe.h), and what
 * they are for: once a secret has gone to SSM and come back through the
 * AWS client (cJSON, libcurl, the request and answer bodies), no copy of it
 * is left in the process's heap. */
#include "unit.h"

#include "moto_provider.h"

#include "aws_calls.h"
#include "provider_config.h"
#include "wipe.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

TEST(wipe_buf_grows_and_hands_over_its_text)
{
	wipe_buf buffer = {0};
	size_t length = 0;
	for (int i = 0; i < 100; i++)
		wipe_buf_printf(&buffer, "%02d;", i);
	wipe_buf_append(&buffer, "end", 3);
	CHECK(buffer.length == 303 && buffer.capacity > 303);
	char *text = wipe_buf_take(&buffer, &length);
	CHECK(length == 303 && strlen(text) == 303);
	CHECK(strncmp(text, "00;01;02;", 9) == 0 && strcmp(text + 297, "99;end") == 0);
	CHECK(buffer.data == NULL && buffer.length == 0);
	wipe_free(text);
	char *empty = wipe_buf_take(&buffer, &length);
	CHECK(empty && *empty == '\0' && length == 0);
	wipe_free(empty);
	wipe_buf_printf(&buffer, "%s", "cleared");
	wipe_buf_clear(&buffer);
	CHECK(buffer.data == NULL && buffer.capacity == 0);
}

#define MASK 0x5a

/* Whether the bytes masked ^ MASK (length n) stand in region [start, end)
 * of mem (/proc/self/mem): read through the kernel, so that neither ASan
 * nor valgrind takes the scan of freed blocks and redzones for a bad
 * access. */
static bool region_holds(int mem, uintptr_t start, uintptr_t end, const unsigned char *masked, size_t n)
{
	enum { CHUNK = 1 << 20 };
	static unsigned char chunk[CHUNK]; /* zeroed after use: a scan that found the secret holds it */
	bool found = false;
	for (uintptr_t at = start; !found && at < end; at += CHUNK - n) {
		size_t want = end - at < CHUNK ? end - at : CHUNK;
		ssize_t got = pread(mem, chunk, want, (off_t)at);
		if (got < (ssize_t)n)
			break;
		for (size_t i = 0; !found && i + n <= (size_t)got; i++) {
			size_t j = 0;
			while (j < n && chunk[i + j] == (masked[j] ^ MASK))
				j++;
			found = j == n;
		}
		if ((size_t)got < want || at + want >= end)
			break;
	}
	explicit_bzero(chunk, sizeof chunk);
	return found;
}

/* Whether the bytes masked ^ MASK stand anywhere in the process's writable
 * private memory: the heap and anonymous mappings, not the stacks nor
 * mappings above 1 GiB (a sanitizer's shadow: reserved, not used). The
 * secret itself is never held whole while scanning, only its masked form. */
static bool secret_in_memory(const unsigned char *masked, size_t n)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	int mem = open("/proc/self/mem", O_RDONLY);
	char line[512];
	bool found = false;
	while (maps && mem >= 0 && !found && fgets(line, sizeof line, maps)) {
		uintptr_t start, end;
		char perms[8], path[256] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &start, &end, perms, path) < 3)
			continue;
		if (perms[0] == 'r' && perms[1] == 'w' && (!path[0] || strcmp(path, "[heap]") == 0) &&
		    end - start <= (1UL << 30))
			found = region_holds(mem, start, end, masked, n);
	}
	if (maps)
		fclose(maps);
	if (mem >= 0)
		close(mem);
	return found;
}

/* A SecureString value goes to moto with PutParameter and comes back
 * decrypted with GetParameter, through the AWS client as every resource
 * calls it; then the process's memory holds it nowhere. The value is made
 * here, in a stack buffer that is zeroed as soon as the request holds it. */
TEST(wipe_leaves_no_copy_of_a_secret_sent_and_read_back)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	unsigned char masked[40];
	char secret[sizeof masked + 1];
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (size_t i = 0; i < sizeof masked; i++) {
		secret[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
		masked[i] = (unsigned char)secret[i] ^ MASK;
	}
	secret[sizeof masked] = '\0';
	const char *name = "/wagtail/unit/wipe/secret";
	cJSON *put = json_request("Name", name);
	cJSON_AddStringToObject(put, "Type", "SecureString");
	cJSON_AddStringToObject(put, "Value", secret);
	cJSON_AddBoolToObject(put, "Overwrite", 1);
	explicit_bzero(secret, sizeof secret);
	CHECK(ctx_json_send_take(&ctx, &aws_ssm, "PutParameter", put, NULL) == AWS_DONE);

	cJSON *get = json_request("Name", name), *answer = NULL;
	cJSON_AddBoolToObject(get, "WithDecryption", 1);
	CHECK(ctx_json_as(&ctx, &aws_ssm, "GetParameter", get, NULL, &answer, NULL) == AWS_DONE);
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "Parameter"), "Value");
	bool came_back = cJSON_IsString(value) && strlen(value->valuestring) == sizeof masked;
	for (size_t i = 0; came_back && i < sizeof masked; i++)
		came_back = (unsigned char)value->valuestring[i] == (masked[i] ^ MASK);
	CHECK(came_back);
	/* Found while the answer is alive: the scan sees the heap. */
	CHECK(secret_in_memory(masked, sizeof masked));
	cJSON_Delete(answer);
	cJSON_Delete(get);
	CHECK(ctx_json_send_take(&ctx, &aws_ssm, "DeleteParameter", json_request("Name", name), NULL) == AWS_DONE);
	CHECK(diags.count == 0);

	CHECK(!secret_in_memory(masked, sizeof masked));
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}
