/*
 * ovs_uapi_dump: prints, as JSON, the values of the Open vSwitch uapi
 * constants and the layout of its structs, as the C compiler sees them in
 * <linux/openvswitch.h>.
 *
 * What to print comes from "ovs_uapi_syms.h", which the cross-check test
 * (test/src/unit/uapi-dump.ts) generates from the preprocessed header it
 * compiles against, so symbols that exist in only one kernel's header need
 * no #ifdefs here:
 *   OVS_UAPI_CONSTS(C)     C(NAME)            enum members and numeric macros
 *   OVS_UAPI_STRUCTS(S)    S(name)            struct name
 *   OVS_UAPI_MEMBERS(M)    M(struct, member)  struct members
 * Build: gcc -I<dir with ovs_uapi_syms.h> [-I<dir with linux/openvswitch.h>]
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/openvswitch.h>

#include "ovs_uapi_syms.h"

static const char *sep = "";

#define C(name)                                                             \
	printf("%s\n    \"%s\": %lld", sep, #name, (long long)(name));          \
	sep = ",";
#define S(name)                                                             \
	printf("%s\n    \"%s\": %zu", sep, #name, sizeof(struct name));         \
	sep = ",";
#define M(s, m)                                                             \
	printf("%s\n    \"%s.%s\": { \"offset\": %zu, \"size\": %zu }", sep,    \
	       #s, #m, offsetof(struct s, m), sizeof(((struct s *)0)->m));      \
	sep = ",";

int main(void)
{
	printf("{\n  \"constants\": {");
	OVS_UAPI_CONSTS(C)
	sep = "";
	printf("\n  },\n  \"structSizes\": {");
	OVS_UAPI_STRUCTS(S)
	sep = "";
	printf("\n  },\n  \"members\": {");
	OVS_UAPI_MEMBERS(M)
	printf("\n  }\n}\n");
	return ferror(stdout) ? 1 : 0;
}
