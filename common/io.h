/* Whole reads and writes at an offset: retried on EINTR and short counts, so that a
 * caller sees either every byte or an error. */
#ifndef UM_IO_H
#define UM_IO_H

#include <stddef.h>
#include <stdint.h>

/* Reads n bytes at off. Returns 0, -errno, or UM_E_TRUNC when the file ends first. */
int um_pread_all(int fd, void *buf, size_t n, uint64_t off);
/* Writes n bytes at off. Returns 0 or -errno (-EIO when nothing could be written). */
int um_pwrite_all(int fd, const void *buf, size_t n, uint64_t off);
/* fsync; 0 or -errno. */
int um_fsync(int fd);
/* Data (and the metadata needed to read it) only: not the file's times. */
int um_fdatasync(int fd);

#endif
