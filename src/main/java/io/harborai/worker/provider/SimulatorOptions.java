package io.harborai.worker.provider;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings for {@link SimulatorServer}.
 *
 * @param host address to bind; loopback by default so a dev machine exposes nothing
 * @param port TCP port, {@code 0} for an ephemeral one
 * @param latency fixed delay before every chat-completion answer (not applied to errors)
 */
public record SimulatorOptions(String host, int port, Duration latency) {
  public SimulatorOptions {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("simulator port must be in [0, 65535], got " + port);
    }
    if (latency == null || latency.isNegative()) {
      throw new IllegalArgumentException("simulator latency must be a non-negative duration");
    }
  }

  /** 127.0.0.1, an ephemeral port, no latency. */
  public static SimulatorOptions defaults() {
    return new SimulatorOptions("127.0.0.1", 0, Duration.ZERO);
  }

  /** These options with another latency. */
  public SimulatorOptions withLatency(Duration newLatency) {
    return new SimulatorOptions(host, port, newLatency);
  }
}
