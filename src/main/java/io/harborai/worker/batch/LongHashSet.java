package io.harborai.worker.batch;

/**
 * A set of {@code long}s in one {@code long[]} (open addressing, linear probing), for duplicate
 * detection over millions of batch lines: about 8-16 bytes per element where a {@code
 * HashSet<Long>} needs some 50 (a boxed Long, a map node and a table slot). Elements are only ever
 * added, never removed, so there are no tombstones.
 *
 * <p>Slot value 0 means "empty"; the element 0 itself is tracked by a flag. Keys are scrambled
 * (MurmurHash3's 64-bit finalizer) before indexing, so clustered inputs spread over the table.
 *
 * <p>Not thread-safe.
 */
public final class LongHashSet {
    private static final double MAX_LOAD = 0.75;

    private long[] table;
    private int size;
    private boolean hasZero;

    public LongHashSet() {
        this(16);
    }

    /** @param expected elements the set should hold without growing */
    public LongHashSet(long expected) {
        long slots = Long.highestOneBit(Math.max(16, (long) (expected / MAX_LOAD) + 1) - 1) << 1;
        if (slots > (1 << 30)) {
            throw new IllegalArgumentException("too many elements: " + expected);
        }
        table = new long[(int) slots];
    }

    /** Adds {@code value}; returns false if it was already present. */
    public boolean add(long value) {
        if (value == 0) {
            boolean added = !hasZero;
            hasZero = true;
            return added;
        }
        if (size + 1 > table.length * MAX_LOAD) {
            grow();
        }
        if (!insert(table, value)) {
            return false;
        }
        size++;
        return true;
    }

    public boolean contains(long value) {
        if (value == 0) {
            return hasZero;
        }
        int mask = table.length - 1;
        for (int i = index(value, mask); ; i = (i + 1) & mask) {
            long slot = table[i];
            if (slot == value) {
                return true;
            }
            if (slot == 0) {
                return false;
            }
        }
    }

    public int size() {
        return size + (hasZero ? 1 : 0);
    }

    /** Slots in the table (for tests and memory estimates: 8 bytes each). */
    int capacity() {
        return table.length;
    }

    private static boolean insert(long[] t, long value) {
        int mask = t.length - 1;
        for (int i = index(value, mask); ; i = (i + 1) & mask) {
            long slot = t[i];
            if (slot == value) {
                return false;
            }
            if (slot == 0) {
                t[i] = value;
                return true;
            }
        }
    }

    private void grow() {
        if (table.length >= (1 << 30)) {
            throw new IllegalStateException("LongHashSet is full (" + size + " elements)");
        }
        long[] bigger = new long[table.length << 1];
        for (long v : table) {
            if (v != 0) {
                insert(bigger, v);
            }
        }
        table = bigger;
    }

    private static int index(long value, int mask) {
        long h = value;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h & mask;
    }
}
