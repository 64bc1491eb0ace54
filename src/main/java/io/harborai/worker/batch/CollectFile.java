package io.harborai.worker.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * One output file of {@code harbor collect} (OUT or ERR): recovery of what an earlier, possibly
 * killed, run left in it, and buffered appends that can be made durable on demand.
 *
 * <p>Why: collect commits its consumer offsets only after the lines they cover are fsynced, so
 * the files are the source of truth. A kill can still leave a torn last line (a buffer half
 * written) and complete lines whose offsets were never committed. The former is cut off by {@link
 * #truncateToLastCompleteLine}; the latter are found by {@link #scan}, which sets their line
 * numbers in the done-set so the results re-read after restart are skipped instead of duplicated.
 *
 * <p>An open file holds an exclusive {@link FileLock}, so two collectors never append to one file.
 * Not thread-safe.
 */
final class CollectFile implements Closeable {
    /** What {@link #scan} found in one file. */
    record Recovered(long lines, long failed) {}

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final BufferedWriter writer;

    private CollectFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.writer = new BufferedWriter(
                new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8), 64 * 1024);
    }

    /** Opens (creating if needed) {@code path} for appending, locked against other collectors. */
    static CollectFile openForAppend(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel ch =
                FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new IOException(path + " is locked by another harbor collect");
        }
        return new CollectFile(path, ch, lock);
    }

    /** Appends one line (buffered; see {@link #sync}). */
    void append(String line) throws IOException {
        writer.write(line);
        writer.write('\n');
    }

    /** Flushes the buffer and forces the file's content to disk. */
    void sync() throws IOException {
        writer.flush();
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        try {
            sync();
        } finally {
            if (lock.isValid()) {
                lock.release();
            }
            writer.close();
        }
    }

    Path path() {
        return path;
    }

    /**
     * Cuts {@code file} after its last {@code '\n'} (to empty if it has none), removing a line
     * torn by a crash, and forces the cut to disk. Returns the bytes removed; a missing file is 0.
     */
    static long truncateToLastCompleteLine(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = 0;
            ByteBuffer buf = ByteBuffer.allocate(8192);
            long end = size;
            search:
            while (end > 0) {
                long from = Math.max(0, end - buf.capacity());
                buf.clear().limit((int) (end - from));
                while (buf.hasRemaining()) {
                    if (ch.read(buf, from + buf.position()) < 0) {
                        throw new IOException(file + " shrank while being read");
                    }
                }
                for (int i = buf.limit() - 1; i >= 0; i--) {
                    if (buf.get(i) == '\n') {
                        keep = from + i + 1;
                        break search;
                    }
                }
                end = from;
            }
            if (keep < size) {
                ch.truncate(keep);
                ch.force(true);
            }
            return size - keep;
        }
    }

    /**
     * Reads every line of {@code file} (complete lines only: truncate first), sets each line's
     * number (from its {@code id}, see {@link ResultIds}) in {@code done} and counts lines and
     * failures. A line number already set is not counted twice. A line that is not JSON or not
     * an output line of {@code batchId} is an error: the file is not this batch's output.
     */
    static Recovered scan(Path file, String batchId, BitSet done, ObjectMapper json) throws IOException {
        if (!Files.exists(file)) {
            return new Recovered(0, 0);
        }
        long lines = 0;
        long failed = 0;
        long lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = in.readLine()) != null) {
                lineNo++;
                JsonNode node;
                try {
                    node = json.readTree(text);
                } catch (IOException e) {
                    throw new IOException(
                            file + " line " + lineNo + " is not JSON; it is not a file written by "
                                    + "harbor collect (fix or move it and run again)",
                            e);
                }
                JsonNode id = node == null ? null : node.get("id");
                int n = id == null || !id.isTextual() ? -1 : ResultIds.lineNumber(batchId, id.asText());
                if (n < 0) {
                    throw new IOException(file + " line " + lineNo + " has id " + id + ", not a line of batch "
                            + batchId + ": is this another batch's output?");
                }
                if (done.get(n)) {
                    continue;
                }
                done.set(n);
                lines++;
                if (isFailure(node)) {
                    failed++;
                }
            }
        }
        return new Recovered(lines, failed);
    }

    /** True for an output line that carries an error (top-level, or the provider's in the body). */
    static boolean isFailure(JsonNode line) {
        JsonNode error = line.get("error");
        return (error != null && !error.isNull())
                || line.at("/response/body/error").isObject();
    }
}
