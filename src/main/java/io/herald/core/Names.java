package io.herald.core;


import java.util.regex.Pattern;

/** The rules for uids, group names and clientIds (PROTOCOL.md, "Names"). */
public final class Names {

    public static final int MAX_LENGTH = 128;
    /** What a valid uid or group name is made of, for error messages. */
    public static final String RULE = "1 to " + MAX_LENGTH + " characters from A-Z a-z 0-9 _ - . : @";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1," + MAX_LENGTH + "}");
    private static final Pattern CLIENT_ID = Pattern.compile("[0-9a-z]{10}-[0-9a-z]{1,13}");

    private Names() {
    }

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static String uid(String uid) {
        if (!validName(uid)) {
            throw HeraldException.badRequest("bad_uid",
                    "a uid is " + RULE);
        }
        return uid;
    }

    public static String group(String group) {
        if (!validName(group)) {
            throw HeraldException.badRequest("bad_group",
                    "a group name is " + RULE);
        }
        return group;
    }

    public static String clientId(String clientId) {
        if (clientId == null || !CLIENT_ID.matcher(clientId).matches()) {
            throw HeraldException.badRequest("bad_client_id", "not a Herald clientId: " + abbreviate(clientId));
        }
        return clientId;
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }
}
