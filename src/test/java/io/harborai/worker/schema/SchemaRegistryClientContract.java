package io.harborai.worker.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's behaviour against any registry that speaks the Confluent REST API. Extended by the
 * in-process test (always runs) and the Testcontainers IT (real Confluent image, needs Docker), so
 * the in-process registry is held to what the real one does. Every test uses fresh subjects, so a
 * shared long-lived registry is fine.
 */
public abstract class SchemaRegistryClientContract {

    protected static final Schema V1 = parse("""
      {"type":"record","name":"Greeting","namespace":"contract","fields":[
        {"name":"text","type":"string"}]}""");

    /** V1 plus a defaulted field: BACKWARD compatible. */
    protected static final Schema V2 = parse("""
      {"type":"record","name":"Greeting","namespace":"contract","fields":[
        {"name":"text","type":"string"},
        {"name":"lang","type":"string","default":"en"}]}""");

    /** V1 plus a required field: a V3 reader cannot read V1 data, so not BACKWARD compatible. */
    protected static final Schema V3_REQUIRED_FIELD = parse("""
      {"type":"record","name":"Greeting","namespace":"contract","fields":[
        {"name":"text","type":"string"},
        {"name":"priority","type":"int"}]}""");

    /** The registry's base URL. */
    protected abstract String registryUrl();

    protected final AtomicInteger httpCalls = new AtomicInteger();
    protected OkHttpClient http;
    protected SchemaRegistryClient client;
    protected String subject;

    @BeforeEach
    void newClientAndSubject() {
        http = new OkHttpClient.Builder()
                .callTimeout(Duration.ofSeconds(30))
                .addInterceptor(chain -> {
                    httpCalls.incrementAndGet();
                    return chain.proceed(chain.request());
                })
                .build();
        client = new SchemaRegistryClient(http, registryUrl());
        subject = "contract-" + UUID.randomUUID() + "-value";
    }

    protected static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }

    @Test
    void shouldReturnTheSameIdWhenTheSameSchemaIsRegisteredAgain() {
        int id = client.register(subject, V1);
        // A second client has an empty cache, so this really asks the registry.
        int again = new SchemaRegistryClient(http, registryUrl()).register(subject, V1);

        assertThat(again).isEqualTo(id);
        assertThat(client.versions(subject)).containsExactly(1);
    }

    @Test
    void shouldGiveTheSameSchemaTheSameIdUnderTwoSubjects() {
        String other = "contract-" + UUID.randomUUID() + "-value";

        assertThat(client.register(other, V1)).isEqualTo(client.register(subject, V1));
        assertThat(client.subjects()).contains(subject, other);
    }

    @Test
    void shouldFetchARegisteredSchemaById() {
        int id = client.register(subject, V2);

        assertThat(new SchemaRegistryClient(http, registryUrl()).getById(id)).isEqualTo(V2);
    }

    @Test
    void shouldGetTheLatestAndNumberedVersions() {
        int id1 = client.register(subject, V1);
        int id2 = client.register(subject, V2);

        assertThat(client.getVersion(subject, "latest")).isEqualTo(new RegisteredSchema(subject, 2, id2, V2));
        assertThat(client.getVersion(subject, "1")).isEqualTo(new RegisteredSchema(subject, 1, id1, V1));
        assertThat(client.versions(subject)).containsExactly(1, 2);
    }

    @Test
    void shouldLookUpASchemaRegisteredUnderTheSubject() {
        client.register(subject, V1);
        int id2 = client.register(subject, V2);

        assertThat(client.lookup(subject, V2)).isEqualTo(new RegisteredSchema(subject, 2, id2, V2));
    }

    @Test
    void shouldReportSchemaNotFoundWhenLookingUpAnUnregisteredSchema() {
        client.register(subject, V1);

        assertThatThrownBy(() -> client.lookup(subject, V2))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
                });
    }

    @Test
    void shouldReportSubjectNotFoundForAnUnknownSubject() {
        assertThatThrownBy(() -> client.lookup(subject, V1))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
        assertThatThrownBy(() -> client.versions(subject))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
        assertThatThrownBy(() -> client.getVersion(subject, "latest"))
                .isInstanceOfSatisfying(
                        SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
    }

    @Test
    void shouldReportVersionNotFoundForAnUnknownVersion() {
        client.register(subject, V1);

        assertThatThrownBy(() -> client.getVersion(subject, "7"))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND);
                });
    }

    @Test
    void shouldReportSchemaNotFoundForAnUnknownId() {
        assertThatThrownBy(() -> client.getById(Integer.MAX_VALUE))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
                    assertThat(e.isNotFound()).isTrue();
                });
    }

    @Test
    void shouldJudgeBackwardCompatibility() {
        assertThat(client.isCompatible(subject, V1)).as("no versions yet").isTrue();
        client.register(subject, V1);

        assertThat(client.isCompatible(subject, V2)).as("defaulted field").isTrue();
        assertThat(client.isCompatible(subject, V3_REQUIRED_FIELD))
                .as("required field")
                .isFalse();
    }

    @Test
    void shouldRejectRegisteringAnIncompatibleSchemaWithError409() {
        client.register(subject, V1);

        assertThatThrownBy(() -> client.register(subject, V3_REQUIRED_FIELD))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE);
                });
    }

    @Test
    void shouldAnswerInvalidSchemaTextWithError42201() throws Exception {
        // The client only sends parsed schemas, so send the bad text by hand.
        Request request = new Request.Builder()
                .url(registryUrl() + "/subjects/" + subject + "/versions")
                .post(RequestBody.create(
                        "{\"schema\":\"{\\\"type\\\":\\\"nonsense\\\"}\"}",
                        MediaType.get(SchemaRegistryClient.CONTENT_TYPE)))
                .build();
        try (Response response = http.newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(422);
            assertThat(response.body().string()).contains("\"error_code\":42201");
        }
    }

    @Test
    void shouldServeRepeatedRegisterAndGetByIdFromCache() {
        int id = client.register(subject, V1);
        client.register(subject, V1);
        assertThat(httpCalls).as("one POST for two registers").hasValue(1);

        client.getById(id);
        client.getById(id);
        assertThat(httpCalls).as("one GET for two lookups by id").hasValue(2);
    }

    @Test
    void shouldNotCacheFailures() {
        int calls = httpCalls.get();
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> client.getById(Integer.MAX_VALUE)).isInstanceOf(SchemaRegistryException.class);
        }
        assertThat(httpCalls.get() - calls).isEqualTo(2);
    }
}
