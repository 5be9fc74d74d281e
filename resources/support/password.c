/* password.c: see password.h. */
#include "password.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <string.h>

/* The punctuation characters of `chars`, each once, in ASCII order: a
 * repeated character would otherwise come up more often. */
static void special_alphabet(const char *chars, char *out)
{
	for (int c = '!'; c <= '~'; c++)
		if (ispunct(c) && strchr(chars, c))
			*out++ = (char)c;
	*out = '\0';
}

void password_rules_init(password_rules *rules, long length, const char *specials)
{
	memset(rules, 0, sizeof *rules);
	rules->length = length > PASSWORD_MAX_LENGTH ? PASSWORD_MAX_LENGTH : length;
	strcpy(rules->alphabet[PASSWORD_UPPER], "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	strcpy(rules->alphabet[PASSWORD_LOWER], "abcdefghijklmnopqrstuvwxyz");
	strcpy(rules->alphabet[PASSWORD_NUMERIC], "0123456789");
	special_alphabet(specials, rules->alphabet[PASSWORD_SPECIAL]);
}

typedef struct {
	unsigned char pool[256];
	size_t left;
	bool failed; /* RAND_bytes failed: what was drawn is worthless */
} random_source;

static uint32_t random_word(random_source *r)
{
	uint32_t word;
	if (r->left < sizeof word) {
		r->failed |= RAND_bytes(r->pool, sizeof r->pool) != 1;
		r->left = sizeof r->pool;
	}
	r->left -= sizeof word;
	memcpy(&word, r->pool + r->left, sizeof word);
	return word;
}

/* Uniform in [0, bound). Taking a word modulo bound alone would favour the
 * small residues; words below 2^32 mod bound are drawn again, so the words
 * kept are a whole number of runs of bound. */
static uint32_t random_below(random_source *r, uint32_t bound)
{
	uint32_t reject_below = (UINT32_MAX - bound + 1) % bound;
	uint32_t word;
	do
		word = random_word(r);
	while (word < reject_below && !r->failed);
	return word % bound;
}

static char pick(random_source *r, const char *alphabet)
{
	return alphabet[random_below(r, (uint32_t)strlen(alphabet))];
}

/* Fisher-Yates, so the characters placed for the minimums end up anywhere. */
static void shuffle(random_source *r, char *text, size_t len)
{
	for (size_t i = len - 1; i > 0; i--) {
		size_t j = random_below(r, (uint32_t)(i + 1));
		char kept = text[i];
		text[i] = text[j];
		text[j] = kept;
	}
}

bool password_generate(const password_rules *rules, char *password)
{
	random_source r = {0};
	char all[sizeof rules->alphabet] = "";
	size_t filled = 0;
	for (int c = 0; c < PASSWORD_CLASS_COUNT; c++) {
		strcat(all, rules->alphabet[c]);
		for (long i = 0; i < rules->minimum[c]; i++)
			password[filled++] = pick(&r, rules->alphabet[c]);
	}
	while (filled < (size_t)rules->length)
		password[filled++] = pick(&r, all);
	password[filled] = '\0';
	shuffle(&r, password, filled);
	bool ok = !r.failed;
	OPENSSL_cleanse(&r, sizeof r);
	return ok;
}
