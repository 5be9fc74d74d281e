/* password.h: random passwords, drawn from OpenSSL's RAND_bytes without
 * modulo bias: what wagtail_random_password makes, and the value
 * wagtail_ssm_parameter makes itself when given random_value_length. */
#ifndef WAGTAIL_PASSWORD_H
#define WAGTAIL_PASSWORD_H

#include <stdbool.h>

#define PASSWORD_MAX_LENGTH 128

/* The punctuation RDS takes in a master password (it refuses / " @ and
 * space), less what shells and URLs treat specially. */
#define PASSWORD_RDS_SPECIALS "-_.~!#%^*+="

enum { PASSWORD_UPPER, PASSWORD_LOWER, PASSWORD_NUMERIC, PASSWORD_SPECIAL, PASSWORD_CLASS_COUNT };

typedef struct {
	long length;
	long minimum[PASSWORD_CLASS_COUNT];
	/* Each class's characters; SPECIAL may be empty. At most the 32 ASCII
	 * punctuation characters. */
	char alphabet[PASSWORD_CLASS_COUNT][40];
} password_rules;

/* Rules for `length` characters (at most PASSWORD_MAX_LENGTH) from the
 * letters, the digits and the ASCII punctuation in `specials` (each once,
 * whatever else it holds), with no minimums. */
void password_rules_init(password_rules *rules, long length, const char *specials);

/* Fills password (PASSWORD_MAX_LENGTH + 1 bytes): each class's minimum
 * from that class, the rest from all classes together, then shuffled.
 * False when the random generator failed: what was drawn is worthless. */
bool password_generate(const password_rules *rules, char *password);

#endif
