/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kiosk/err.h"
#include "kiosk/vault.h"

/* Locked kB of this process, from /proc/self/status (VmLck). */
static long locked_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1) {
			break;
		}
	}
	fclose(f);
	return kb;
}

static void test_setup_locks_memory(void **state)
{
	struct kiosk_vault v;
	long before = locked_kb();

	(void)state;
	kiosk_vault_init(&v);
	assert_int_equal(kiosk_vault_setup(&v, 10000), KIOSK_OK);
	assert_true(v.size >= 10000);
#ifndef __SANITIZE_ADDRESS__
	/* ASan intercepts mlock() as a no-op, so this is checked in the plain build. */
	assert_true(locked_kb() >= before + (long)(v.size / 1024));
#endif
	assert_true(kiosk_vault_is_wiped(&v));
	kiosk_vault_free(&v);
	assert_null(v.base);
	assert_int_equal(locked_kb(), before);
	kiosk_vault_free(&v); /* idempotent */
	kiosk_vault_free(NULL);
}

static void test_alloc_and_wipe(void **state)
{
	struct kiosk_vault v;
	unsigned char *a;
	unsigned char *b;

	(void)state;
	kiosk_vault_init(&v);
	assert_int_equal(kiosk_vault_setup(&v, 4096), KIOSK_OK);
	a = kiosk_vault_alloc(&v, 13);
	b = kiosk_vault_alloc(&v, 100);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal((uintptr_t)b % 16, 0);
	assert_true(kiosk_vault_owns(&v, a, 13));
	assert_true(kiosk_vault_owns(&v, b, 100));
	assert_false(kiosk_vault_owns(&v, b, v.size));
	memcpy(a, "123456789012", 13);
	memset(b, 0xAB, 100);
	assert_false(kiosk_vault_is_wiped(&v));
	kiosk_vault_wipe(&v);
	assert_true(kiosk_vault_is_wiped(&v));
	/* Every byte handed out is zero again, not just the bookkeeping. */
	for (size_t i = 0; i < 100; i++) {
		assert_int_equal(b[i], 0);
	}
	kiosk_vault_free(&v);
}

static void test_alloc_bounds(void **state)
{
	struct kiosk_vault v;

	(void)state;
	kiosk_vault_init(&v);
	assert_null(kiosk_vault_alloc(&v, 1)); /* not set up */
	assert_int_equal(kiosk_vault_setup(&v, 4096), KIOSK_OK);
	assert_int_equal(kiosk_vault_setup(&v, 4096), KIOSK_ERR_INVALID_ARG);
	assert_null(kiosk_vault_alloc(&v, 0));
	assert_null(kiosk_vault_alloc(&v, v.size + 1));
	assert_null(kiosk_vault_alloc(&v, SIZE_MAX));
	assert_non_null(kiosk_vault_alloc(&v, v.size));
	assert_null(kiosk_vault_alloc(&v, 1)); /* full */
	kiosk_vault_wipe(&v);
	assert_non_null(kiosk_vault_alloc(&v, 1));
	kiosk_vault_free(&v);
}

static void test_secure_alloc(void **state)
{
	unsigned char *p;

	(void)state;
	p = kiosk_secure_alloc(300);
	assert_non_null(p);
	for (size_t i = 0; i < 300; i++) {
		assert_int_equal(p[i], 0);
	}
	memset(p, 0x5A, 300);
	kiosk_secure_free(p, 300);
	kiosk_secure_free(NULL, 10);
	assert_null(kiosk_secure_alloc(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup_locks_memory),
		cmocka_unit_test(test_alloc_and_wipe),
		cmocka_unit_test(test_alloc_bounds),
		cmocka_unit_test(test_secure_alloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
