package io.harborai.worker.provider.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;

/** The framing cases of a stream, read through okhttp-sse, with no server in between. */
class SseChatAssemblerTest {
    private static final String HI = "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}";
    private static final String STOP =
            "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";

    static SseChatAssembler.Result read(String body, String contentType) throws IOException {
        Response r = new Response.Builder()
                .request(new Request.Builder()
                        .url("http://localhost/v1/chat/completions")
                        .build())
                .protocol(Protocol.HTTP_1_1)
                .code(200)
                .message("OK")
                .body(ResponseBody.create(body, contentType == null ? null : MediaType.get(contentType)))
                .build();
        return SseChatAssembler.read(r, TtftWatch.none());
    }

    static String content(SseChatAssembler.Result r) {
        assertThat(r).isInstanceOf(SseChatAssembler.Result.Completed.class);
        return ((SseChatAssembler.Result.Completed) r)
                .body()
                .at("/choices/0/message/content")
                .asText();
    }

    @Test
    void shouldReadALastEventTheServerDidNotTerminate() throws IOException {
        assertThat(content(read("data: " + HI + "\n\ndata: " + STOP, "text/event-stream")))
                .isEqualTo("Hi");
        assertThat(content(read("data: " + HI + "\n\ndata: " + STOP + "\n", "text/event-stream")))
                .isEqualTo("Hi");
    }

    @Test
    void shouldSkipCommentsAndJoinMultiLineDataWithCrLfLineEnds() throws IOException {
        String body = ": keep-alive\r\n\r\nid: 7\r\ndata: {\"id\":\"c1\",\r\ndata: \"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"Hi\"}}]}\r\n\r\ndata: " + STOP + "\r\n\r\ndata: [DONE]\r\n\r\n";

        assertThat(content(read(body, "text/event-stream"))).isEqualTo("Hi");
    }

    @Test
    void shouldReadEventsWhateverTheContentTypeSays() throws IOException {
        assertThat(content(read("data: " + HI + "\n\ndata: [DONE]\n\n", null))).isEqualTo("Hi");
        assertThat(content(read("data: " + HI + "\n\ndata: [DONE]\n\n", "application/json")))
                .isEqualTo("Hi");
    }

    @Test
    void shouldStopAtAnErrorEventAndTellAPlainBodyApart() throws IOException {
        var error = read(
                "data: " + HI + "\n\nevent: error\ndata: overloaded\n\ndata: " + STOP + "\n\n", "text/event-stream");
        var plain = read("\n\n  {\"error\":{\"message\":\"bad key\"}}", "text/event-stream");

        assertThat(error).isEqualTo(new SseChatAssembler.Result.Error("overloaded"));
        assertThat(plain).isEqualTo(new SseChatAssembler.Result.PlainBody("{\"error\":{\"message\":\"bad key\"}}"));
    }

    @Test
    void shouldCallAStreamCutBeforeItsEndTruncated() throws IOException {
        assertThat(read("data: " + HI + "\n\n", "text/event-stream"))
                .isEqualTo(new SseChatAssembler.Result.Truncated("the stream ended before finish_reason or [DONE]"));
        assertThat(read("", "text/event-stream"))
                .isEqualTo(new SseChatAssembler.Result.Truncated("the stream ended without any chunk"));
        assertThat(read("data: {\"id\":\"c1\",\"cho", "text/event-stream"))
                .isInstanceOf(SseChatAssembler.Result.Truncated.class);
    }
}
