package io.streamforecaster.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * Reads the fields of a JSON observation in one streaming pass, without building a tree: the
 * scalars of {@code "value"}, {@code "values"} and {@code "timestamp"} as nodes, and any array or
 * object where the contract wants a scalar as an empty node of its kind (its content skipped
 * unread). Other fields are skipped. Building and writing out the tree of a deeply nested value (a
 * hostile producer's 4 KB of brackets) cost 3.4 times as much as skipping it (BENCHMARKS.md §5).
 * Malformed JSON, nesting beyond Jackson's limit (1,000) and content after the object fail as
 * before; a field given twice keeps its last value, as a tree would.
 */
final class JsonFields {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The fields the contract reads, null when absent. */
    record Fields(JsonNode value, JsonNode values, JsonNode timestamp) {
    }

    private JsonFields() {
    }

    /** The fields of {@code text}, which starts with '{'. */
    static Fields read(String text) throws IOException {
        JsonNode value = null;
        JsonNode values = null;
        JsonNode timestamp = null;
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "value" -> value = scalar(p, t);
                    case "values" -> values = t == JsonToken.START_ARRAY ? array(p) : scalar(p, t);
                    case "timestamp" -> timestamp = scalar(p, t);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IOException("content after the JSON object");
            }
        }
        return new Fields(value, values, timestamp);
    }

    private static ArrayNode array(JsonParser p) throws IOException {
        ArrayNode a = NODES.arrayNode();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            a.add(scalar(p, t));
        }
        return a;
    }

    /** The scalar at the current token as a node, or an empty node of the container's kind, skipped. */
    private static JsonNode scalar(JsonParser p, JsonToken t) throws IOException {
        if (t == null) {
            throw new IOException("unexpected end of the JSON text");
        }
        return switch (t) {
            case START_ARRAY -> {
                p.skipChildren();
                yield NODES.arrayNode();
            }
            case START_OBJECT -> {
                p.skipChildren();
                yield NODES.objectNode();
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE, VALUE_FALSE -> NODES.booleanNode(t == JsonToken.VALUE_TRUE);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IOException("unexpected " + t);
        };
    }
}
