#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Independent NAR serialiser for NarHashTest, written from Dolstra's thesis fig. 5.2 and nix's archive.cc:
# writes the NAR of the directory tree at argv[1] to stdout. Executable = owner x bit; entries sorted by bytes.
import os
import stat
import struct
import sys


def emit(out, b):
    out.write(struct.pack('<Q', len(b)))
    out.write(b)
    out.write(b'\0' * ((8 - len(b) % 8) % 8))


def s(out, text):
    emit(out, text.encode())


def node(out, path):
    st = os.lstat(path)
    s(out, '(')
    if stat.S_ISLNK(st.st_mode):
        s(out, 'type'); s(out, 'symlink'); s(out, 'target'); emit(out, os.fsencode(os.readlink(path)))
    elif stat.S_ISDIR(st.st_mode):
        s(out, 'type'); s(out, 'directory')
        for name in sorted(os.listdir(os.fsencode(path))):
            s(out, 'entry'); s(out, '('); s(out, 'name'); emit(out, name)
            s(out, 'node'); node(out, os.path.join(os.fsencode(path), name)); s(out, ')')
    else:
        s(out, 'type'); s(out, 'regular')
        if st.st_mode & stat.S_IXUSR:
            s(out, 'executable'); s(out, '')
        s(out, 'contents')
        with open(path, 'rb') as f:
            emit(out, f.read())
    s(out, ')')


out = sys.stdout.buffer
s(out, 'nix-archive-1')
node(out, sys.argv[1])
out.flush()
