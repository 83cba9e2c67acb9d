// SPDX-License-Identifier: MIT
#include "vmm/reset_vector.h"

#include "vmm/layout.h"

int reset_vector_install(const struct guest_mem *mem)
{
	const uint16_t port = PORT_ACPI_PM + 2; /* the FADT RESET_REG */
	const uint8_t stub[] = {
		0xba,	   port & 0xff,
		port >> 8,		     /* mov dx, port */
		0xb0,	   ACPI_RESET_VALUE, /* mov al, value */
		0xee,			     /* out dx, al */
		0xf4,			     /* 1: hlt */
		0xeb,	   0xfd,	     /* jmp 1b */
	};

	_Static_assert(sizeof(stub) <= LAYOUT_BIOS_END - RESET_VECTOR_GPA,
		       "the stub must end below 1 MiB");
	return guest_mem_write(mem, gpa(RESET_VECTOR_GPA), stub, sizeof(stub));
}
