package io.harborai.worker.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The simulator's answer to one valid chat-completions body: deterministic (a function of the
 * canonical body, apart from {@code created}), OpenAI-shaped, with a plausible token count.
 * Stateless and thread-safe.
 */
final class SimulatedCompletion {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Sorted keys make the hash independent of the client's field order. */
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private static final int PER_MESSAGE_TOKENS = 4;
  private static final int REPLY_PRIMING_TOKENS = 3;
  private static final int MAX_SCHEMA_DEPTH = 8;

  private SimulatedCompletion() {}

  /** Builds the response body for a body that passed {@link OpenAiJson#fromBody}. */
  static ObjectNode respond(JsonNode body, long createdEpochSeconds) {
    String hash = hash(body);
    String model = body.path("model").asText();
    JsonNode messages = body.path("messages");
    String prompt = lastUserText(messages);
    String answer =
        "Simulated answer (" + model + ") to: " + firstCodePoints(prompt, 80) + " [#" + hash + "]";
    String content = structured(body.get("response_format"), answer, hash);

    ObjectNode out = NODES.objectNode();
    out.put("id", "chatcmpl-sim-" + hash);
    out.put("object", "chat.completion");
    out.put("created", createdEpochSeconds);
    out.put("model", model);
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", content);
    choice.putNull("logprobs");
    choice.put("finish_reason", "stop");
    int promptTokens = promptTokens(messages);
    int completionTokens = estimateTokens(content);
    ObjectNode usage = out.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
    usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
    out.put("system_fingerprint", "fp_harbor_sim");
    return out;
  }

  /** An OpenAI-shaped error body. */
  static ObjectNode error(String message, String type) {
    return error(message, type, null);
  }

  /** An OpenAI-shaped error body with an error code ({@code rate_limit_exceeded}, ...). */
  static ObjectNode error(String message, String type, String code) {
    ObjectNode out = NODES.objectNode();
    ObjectNode error =
        out.putObject("error").put("message", message).put("type", type).putNull("param");
    if (code == null) {
      error.putNull("code");
    } else {
      error.put("code", code);
    }
    return out;
  }

  /**
   * Rough tokenizer: one token per CJK character (Han, kana, Hangul), one per four other
   * characters. Close enough to cl100k/DeepSeek counts for load and cost tests.
   */
  static int estimateTokens(String text) {
    int cjk = 0;
    int other = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      Character.UnicodeScript s = Character.UnicodeScript.of(cp);
      if (s == Character.UnicodeScript.HAN
          || s == Character.UnicodeScript.HIRAGANA
          || s == Character.UnicodeScript.KATAKANA
          || s == Character.UnicodeScript.HANGUL) {
        cjk++;
      } else {
        other++;
      }
    }
    return cjk + (other + 3) / 4;
  }

  static int promptTokens(JsonNode messages) {
    int tokens = REPLY_PRIMING_TOKENS;
    for (JsonNode m : messages) {
      tokens += PER_MESSAGE_TOKENS + estimateTokens(text(m.get("content")));
    }
    return tokens;
  }

  private static String lastUserText(JsonNode messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonNode m = messages.get(i);
      if ("user".equals(m.path("role").asText())) {
        return text(m.get("content"));
      }
    }
    return "(no user message)";
  }

  /** Text of string content, or the concatenated text parts of array content. */
  private static String text(JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode part : content) {
      if (part.path("text").isTextual()) {
        sb.append(part.get("text").asText());
      }
    }
    return sb.toString();
  }

  private static String firstCodePoints(String s, int n) {
    int count = s.codePointCount(0, s.length());
    return count <= n ? s : s.substring(0, s.offsetByCodePoints(0, n));
  }

  private static String structured(JsonNode rf, String answer, String hash) {
    String type = rf == null ? "text" : rf.path("type").asText("text");
    if (type.equals("json_object")) {
      return OpenAiJson.json(NODES.objectNode().put("answer", answer));
    }
    if (type.equals("json_schema")) {
      JsonNode schema = rf.path("json_schema").get("schema");
      if (schema != null && schema.isObject()) {
        return OpenAiJson.json(fill(schema, schema, "value", hash, 0));
      }
      return OpenAiJson.json(NODES.objectNode().put("answer", answer));
    }
    return answer;
  }

  /** A value satisfying the common subset of JSON Schema: type, required, enum, const, $ref. */
  private static JsonNode fill(
      JsonNode schema, JsonNode root, String name, String hash, int depth) {
    if (depth > MAX_SCHEMA_DEPTH) {
      return NODES.nullNode();
    }
    if (schema.has("const")) {
      return schema.get("const");
    }
    if (schema.path("enum").isArray() && !schema.get("enum").isEmpty()) {
      return schema.get("enum").get(0);
    }
    String ref = schema.path("$ref").asText("");
    if (ref.startsWith("#/")) {
      JsonNode target = root.at(ref.substring(1));
      return target.isMissingNode() ? NODES.nullNode() : fill(target, root, name, hash, depth + 1);
    }
    for (String combinator : new String[] {"anyOf", "oneOf", "allOf"}) {
      if (schema.path(combinator).isArray() && !schema.get(combinator).isEmpty()) {
        return fill(schema.get(combinator).get(0), root, name, hash, depth + 1);
      }
    }
    switch (type(schema)) {
      case "object":
        ObjectNode obj = NODES.objectNode();
        JsonNode props = schema.path("properties");
        JsonNode required = schema.get("required");
        if (required != null && required.isArray()) {
          for (JsonNode r : required) {
            JsonNode p = props.path(r.asText());
            JsonNode sub = p.isObject() ? p : NODES.objectNode();
            obj.set(r.asText(), fill(sub, root, r.asText(), hash, depth + 1));
          }
        } else {
          for (Map.Entry<String, JsonNode> p : props.properties()) {
            obj.set(p.getKey(), fill(p.getValue(), root, p.getKey(), hash, depth + 1));
          }
        }
        return obj;
      case "array":
        ArrayNode arr = NODES.arrayNode();
        int n = Math.max(1, schema.path("minItems").asInt(1));
        JsonNode items = schema.path("items");
        for (int i = 0; i < n; i++) {
          arr.add(fill(items.isObject() ? items : NODES.objectNode(), root, name, hash, depth + 1));
        }
        return arr;
      case "integer":
        return NODES.numberNode(Math.max(1, schema.path("minimum").asLong(1)));
      case "number":
        return NODES.numberNode(Math.max(1.0, schema.path("minimum").asDouble(1.0)));
      case "boolean":
        return NODES.booleanNode(true);
      case "null":
        return NODES.nullNode();
      default:
        return NODES.textNode("simulated " + name + " " + hash);
    }
  }

  private static String type(JsonNode schema) {
    JsonNode t = schema.get("type");
    if (t != null && t.isArray()) {
      for (JsonNode each : t) {
        if (!"null".equals(each.asText())) {
          return each.asText();
        }
      }
      return "null";
    }
    if (t != null && t.isTextual()) {
      return t.asText();
    }
    if (schema.has("properties")) {
      return "object";
    }
    return schema.has("items") ? "array" : "string";
  }

  /** First 12 hex digits of SHA-256 over the body with keys sorted at every level. */
  static String hash(JsonNode body) {
    try {
      Object plain = CANONICAL.treeToValue(body, Object.class);
      byte[] canonical = CANONICAL.writeValueAsBytes(plain);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash a parsed JSON body", e);
    }
  }

  static byte[] utf8(JsonNode node) {
    return OpenAiJson.json(node).getBytes(StandardCharsets.UTF_8);
  }
}
