// A measuring probe, not product code: a client of a running `harbor gateway` (its own JVM) that
// writes an OpenAI Batch file of N lines to disk, uploads it with POST /v1/files (a streamed
// multipart body), reads it back with GET /v1/files/{id}/content (comparing its SHA-256), creates a
// batch of it and waits until every line is handed over (status no longer validating). Run the
// gateway with a heap far smaller than the file and sample it (`jstat -gc PID 1000`) to see that
// the file is streamed, never held. See BENCHMARKS.md, "Gateway: a 1,000,000-line file".
//
//   java -cp target/harbor.jar probes/GatewayFilesProbe.java BASE_URL LINES
import java.io.*;
import java.net.URI;
import java.net.http.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.*;
import java.time.Duration;
import java.util.*;
import com.fasterxml.jackson.databind.*;

public class GatewayFilesProbe {
  public static void main(String[] a) throws Exception {
    String base = a[0];
    int lines = Integer.parseInt(a[1]);
    Path file = Files.createTempFile("probe-", ".jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      for (int i = 1; i <= lines; i++) {
        w.write("{\"custom_id\":\"c-" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"sim-probe\",\"messages\":[{\"role\":\"user\",\"content\":\"probe question number " + i + " about Kafka Streams and exactly-once delivery\"}]}}\n");
      }
    }
    long bytes = Files.size(file);
    System.out.printf(Locale.ROOT, "file: %d lines, %.1f MB%n", lines, bytes / 1e6);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    ObjectMapper json = new ObjectMapper();
    String boundary = "probe" + UUID.randomUUID().toString().replace("-", "");
    String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"probe.jsonl\"\r\n"
        + "Content-Type: application/jsonl\r\n\r\n";
    String tail = "\r\n--" + boundary + "--\r\n";
    long t0 = System.nanoTime();
    HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/files"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.concat(
            HttpRequest.BodyPublishers.ofString(head),
            HttpRequest.BodyPublishers.ofFile(file),
            HttpRequest.BodyPublishers.ofString(tail)))
        .build(), HttpResponse.BodyHandlers.ofString());
    double upS = (System.nanoTime() - t0) / 1e9;
    if (up.statusCode() != 200) throw new IllegalStateException("upload: " + up.statusCode() + " " + up.body());
    JsonNode f = json.readTree(up.body());
    System.out.printf(Locale.ROOT, "upload: %s, %d bytes in %.1f s (%.1f MB/s)%n", f.path("id").asText(), f.path("bytes").asLong(), upS, bytes / 1e6 / upS);
    if (f.path("bytes").asLong() != bytes) throw new IllegalStateException("stored " + f.path("bytes") + " bytes of " + bytes);

    t0 = System.nanoTime();
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/files/" + f.path("id").asText() + "/content")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    long read = 0;
    try (InputStream in = down.body()) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) { got.update(buf, 0, n); read += n; }
    }
    double downS = (System.nanoTime() - t0) / 1e9;
    MessageDigest want = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) want.update(buf, 0, n);
    }
    boolean same = MessageDigest.isEqual(got.digest(), want.digest());
    System.out.printf(Locale.ROOT, "content: %d bytes in %.1f s (%.1f MB/s), same SHA-256: %s%n", read, downS, read / 1e6 / downS, same);

    t0 = System.nanoTime();
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/batches"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"input_file_id\":\"" + f.path("id").asText()
            + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    String id = json.readTree(created.body()).path("id").asText();
    String status;
    do {
      Thread.sleep(2000);
      JsonNode b = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/batches/" + id)).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      status = b.path("status").asText();
      System.out.printf(Locale.ROOT, "  %s %s total %d after %.0f s%n", id, status, b.path("request_counts").path("total").asLong(), (System.nanoTime() - t0) / 1e9);
    } while (status.equals("validating"));
    System.out.printf(Locale.ROOT, "batch %s: every line handed over in %.1f s (%s)%n", id, (System.nanoTime() - t0) / 1e9, status);
    Files.delete(file);
  }
}
