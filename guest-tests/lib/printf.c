// SPDX-License-Identifier: MIT
#include "printf.h"

#include <stdbool.h>
#include <stdint.h>

#include "serial.h"
#include "spinlock.h"
#include "string.h"

struct out {
	char *buf;
	size_t len; /* capacity, including the NUL */
	size_t pos; /* characters produced so far */
	bool to_serial;
	size_t pending; /* to_serial: bytes in chunk[] */
	char chunk[64];
};

static void out_flush(struct out *o)
{
	serial_write(o->chunk, o->pending);
	o->pending = 0;
}

static void out_putc(struct out *o, char c)
{
	if (o->to_serial) {
		if (o->pending == sizeof(o->chunk))
			out_flush(o);
		o->chunk[o->pending++] = c;
	} else if (o->pos + 1 < o->len) {
		o->buf[o->pos] = c;
	}
	o->pos++;
}

static void out_pad(struct out *o, char c, int n)
{
	for (; n > 0; n--)
		out_putc(o, c);
}

struct spec {
	bool left, zero, alt;
	int width, prec;
};

static void out_str(struct out *o, const char *s, const struct spec *sp)
{
	size_t n = strnlen(s, sp->prec >= 0 ? (size_t)sp->prec : SIZE_MAX);

	if (!sp->left)
		out_pad(o, ' ', sp->width - (int)n);
	for (size_t i = 0; i < n; i++)
		out_putc(o, s[i]);
	if (sp->left)
		out_pad(o, ' ', sp->width - (int)n);
}

static void out_num(struct out *o, uint64_t v, bool neg, unsigned base, bool upper,
		    const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len, extra;
	const char *prefix = "";

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		prefix = "-";
	else if (sp->alt && base == 16)
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8)
		prefix = "0";
	extra = (int)strlen(prefix);
	len = n + extra;
	if (!sp->left && !sp->zero)
		out_pad(o, ' ', sp->width - len);
	for (const char *p = prefix; *p; p++)
		out_putc(o, *p);
	if (!sp->left && sp->zero)
		out_pad(o, '0', sp->width - len);
	while (n)
		out_putc(o, tmp[--n]);
	if (sp->left)
		out_pad(o, ' ', sp->width - len);
}

static int parse_int(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9' && v < 1000)
		v = v * 10 + (*(*fmt)++ - '0');
	return v;
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		struct spec sp = {.prec = -1};
		int lng = 0;
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			out_putc(o, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '#')
				sp.alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			fmt++;
		} else {
			sp.width = parse_int(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				fmt++;
			} else {
				sp.prec = parse_int(&fmt);
			}
		}
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, long) : va_arg(ap, int);
			out_num(o, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, 10, false, &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			out_num(o, u, false,
				*fmt == 'u'   ? 10
				: *fmt == 'o' ? 8
					      : 16,
				*fmt == 'X', &sp);
			break;
		case 'p':
			sp.alt = true;
			out_num(o, (uintptr_t)va_arg(ap, void *), false, 16, false, &sp);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			out_str(o, str ? str : "(null)", &sp);
			break;
		}
		case 'c': out_putc(o, (char)va_arg(ap, int)); break;
		case '%': out_putc(o, '%'); break;
		case '\0': return;
		default: out_putc(o, '%'); out_putc(o, *fmt);
		}
	}
}

int vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct out o = {.buf = buf, .len = len};

	format(&o, fmt, ap);
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return (int)o.pos;
}

int snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

static struct spinlock print_lock;

int vprintf(const char *fmt, va_list ap)
{
	struct out o = {.to_serial = true};
	/* A CPU that died holding the lock must not silence the others. */
	bool locked = spin_lock_bounded(&print_lock, 10000000);

	format(&o, fmt, ap);
	out_flush(&o);
	if (locked)
		spin_unlock(&print_lock);
	return (int)o.pos;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
