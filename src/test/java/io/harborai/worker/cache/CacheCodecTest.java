package io.harborai.worker.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CacheCodecTest {

    private final CachedAnswer cached = new CachedAnswer(CacheFixtures.answer("r1", "Hello, harbor"), 1_000L, 61_000L);

    @Test
    void shouldRoundTripTheAnswerAndBothInstants() {
        byte[] bytes = CacheCodec.encode(cached);

        CachedAnswer back = CacheCodec.decode(bytes);

        assertThat(back).isEqualTo(cached);
        assertThat(back.answer().getResponse().getContent()).isEqualTo("Hello, harbor");
        assertThat(back.storedAtMs()).isEqualTo(1_000L);
        assertThat(back.expiresAtMs()).isEqualTo(61_000L);
    }

    @Test
    void shouldStartWithTheFormatByteAndTheInstantsAsBigEndianLongs() {
        byte[] bytes = CacheCodec.encode(new CachedAnswer(cached.answer(), 0x0102030405060708L, 42L));

        assertThat(bytes[0]).isEqualTo(CacheCodec.FORMAT_V1);
        assertThat(Arrays.copyOfRange(bytes, 1, 9)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(Arrays.copyOfRange(bytes, 9, 17)).containsExactly(0, 0, 0, 0, 0, 0, 0, 42);
    }

    @Test
    void shouldRejectAnUnknownFormatByte() {
        byte[] bytes = CacheCodec.encode(cached);
        bytes[0] = 2;

        assertThatThrownBy(() -> CacheCodec.decode(bytes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown format");
    }

    @Test
    void shouldRejectNullShortTruncatedAndTrailingBytes() {
        byte[] good = CacheCodec.encode(cached);

        assertThatThrownBy(() -> CacheCodec.decode(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CacheCodec.decode(Arrays.copyOf(good, CacheCodec.HEADER_BYTES)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CacheCodec.decode(Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("undecodable");
        assertThatThrownBy(() -> CacheCodec.decode(Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after its answer");
    }

    @Test
    void shouldRejectGarbageAfterAValidHeader() {
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0xff);
        garbage[0] = CacheCodec.FORMAT_V1;

        assertThatThrownBy(() -> CacheCodec.decode(garbage)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCountTheBoundaryAgeAsFresh() {
        assertThat(cached.fresherThan(500, 1_500)).isTrue();
        assertThat(cached.fresherThan(500, 1_501)).isFalse();
    }
}
