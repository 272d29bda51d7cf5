// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

/** One Filter Flags entry of a Block Header: Filter ID and its properties (xz-file-format.txt §3.1.5). */
record XzFilter(long id, byte[] props) {

    static final long LZMA2 = 0x21;
    static final long DELTA = 0x03;

    XzFilter {
        props = props.clone();
    }

    @Override
    public byte[] props() {
        return props.clone();
    }

    /**
     * LZMA2 Dictionary Size property byte: the smallest p with (2 | (p &amp; 1)) &lt;&lt; (p / 2 + 11) &gt;= dictSize
     * (§5.3.1; xz-java LZMA2Encoder computes the same through getDistSlot). 8 MiB gives 0x16.
     */
    static int lzma2DictProp(int dictSize) {
        for (int p = 0; p < 40; p++) {
            if (lzma2DictSize(p) >= dictSize) {
                return p;
            }
        }
        return 40;
    }

    /** Inverse of {@link #lzma2DictProp}; property 40 means 4 GiB - 1 and is returned as Long. */
    static long lzma2DictSize(int prop) {
        return prop == 40 ? 0xFFFFFFFFL : (long) (2 | (prop & 1)) << (prop / 2 + 11);
    }
}
