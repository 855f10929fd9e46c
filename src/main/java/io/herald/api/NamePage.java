package io.herald.api;

import io.herald.core.JsonCodec;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.util.Collection;
import java.util.List;

/**
 * One page of a list of names (online uids, groups), in code point order so that {@code after} (the last
 * name of the previous page) continues where the previous page stopped even while names come and go:
 * {@code {"<field>":[…],"next":"<last name>"|null}}, {@code next} null on the last page.
 */
final class NamePage {

    static final int MAX_LIMIT = 1000;

    private NamePage() {
    }

    static JsonObject of(String field, Collection<String> names, String after, String limitText) {
        int limit = (int) Bodies.number("limit", limitText, 1, MAX_LIMIT);
        List<String> sorted = names.stream()
                .filter(name -> after == null || after.isEmpty() || name.compareTo(after) > 0)
                .sorted()
                .limit(limit + 1L) // one more than asked tells whether another page follows
                .toList();
        boolean more = sorted.size() > limit;
        List<String> page = more ? sorted.subList(0, limit) : sorted;
        JsonObjectBuilder answer = JsonCodec.object().add(field, JsonCodec.array(page));
        if (more) {
            answer.add("next", page.get(page.size() - 1));
        } else {
            answer.addNull("next");
        }
        return answer.build();
    }
}
