package io.streamforecaster.state;

import java.nio.ByteBuffer;

/**
 * One concern of a key's state with its own encoding inside the versioned state record
 * ({@link SeriesStateFormat}): the record frames each part with its tag and length, so a part can
 * change its own layout (it starts with its own version byte) or be added without the others
 * knowing, and a reader skips parts it does not know.
 */
interface StatePart {

    /** The part's tag in the record; never reused. */
    int tag();

    /** Bytes {@link #write} takes. */
    int encodedBytes();

    /** Writes the part (the buffer is little-endian). */
    void write(ByteBuffer b);
}
