# HarborAI Worker image, built from source on a clean checkout (no JDK, Maven or jar needed on the host):
#   docker build -t harbor-worker .
#   docker run --rm harbor-worker --help            # the same subcommands as bin/harbor; default: run
# Checked without a Docker engine by DockerfileTest (stages, user, health check, ports, COPY paths).

# ---- build: the shaded jar, from the sources ----
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
# The wrapper and the POM first: the dependency layer below is rebuilt only when they change.
# resolve + resolve-plugins, not go-offline: go-offline also walks optional dependencies of plugins
# and fails on one that Maven Central does not serve (io.grpc:grpc-api:1.81.1).
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:resolve \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:resolve-plugins
# Only what `package` reads: no tests are compiled or run here (CI runs them), so no src/test.
COPY schemas schemas
COPY src/main src/main
RUN ./mvnw -B -q package -Dmaven.test.skip=true

# ---- runtime: a JRE, the jar, a non-root user ----
FROM eclipse-temurin:17-jre
# A fixed uid/gid, so Kubernetes' runAsNonRoot can check it and a state volume's owner is known
# (deploy/kubernetes sets runAsUser and fsGroup to the same numbers).
RUN groupadd --system --gid 10001 harbor \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/harbor \
       --shell /usr/sbin/nologin harbor \
    && mkdir -p /var/lib/harbor \
    && chown 10001:10001 /var/lib/harbor
WORKDIR /app
# Read-only for the runtime user: owned by root.
COPY --from=build /src/target/harbor.jar /app/harbor.jar
# The image's default configuration: Kafka Streams state in the volume below, /metrics, /health and
# /ready on 9464. A config file of your own (HARBOR_CONFIG or --config) replaces it: keep those two
# keys there (or set HARBOR_METRICS_PORT).
COPY deploy/docker/harbor.yaml /etc/harbor/harbor.yaml
ENV HARBOR_CONFIG=/etc/harbor/harbor.yaml
# Kafka Streams state (worker.state-dir): a restarted container restores faster when it survives.
VOLUME /var/lib/harbor
# Container-aware memory: the heap is a share of the container's memory limit, not a fixed -Xmx.
# 50 % of a 1 GiB limit is the 512 MiB heap every BENCHMARKS.md run used; the rest is for metaspace,
# threads, the JIT and RocksDB (native). G1 explicitly: below 2 CPUs or 1792 MB the JVM would pick
# Serial GC on its own, and the benchmarks ran G1. Override the whole variable to tune.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
# 9464: harbor run's /metrics, /health, /ready (metrics.port above); 8080: harbor gateway (gateway.port).
EXPOSE 9464 8080
# The worker's liveness answer. No curl or wget needed (newer Temurin images drop curl): bash's
# /dev/tcp speaks the HTTP request. Follows HARBOR_METRICS_PORT when that overrides the port. The
# gateway and the simulator, run from this image, set their own check (docker-compose.yml).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${HARBOR_METRICS_PORT:-9464} && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# As bin/harbor: the Avro property is always needed (generated classes are trusted by package).
ENTRYPOINT ["java", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.harborai.worker.avro", "-jar", "/app/harbor.jar"]
CMD ["run"]
