package io.herald.core;

/**
 * A refused operation, with the HTTP status and the machine-readable code that the REST API reports
 * (PROTOCOL.md, "Errors"). Code calling the CDI API sees the same codes.
 */
public class HeraldException extends RuntimeException {

    private final int status;
    private final String code;

    public HeraldException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public static HeraldException badRequest(String code, String message) {
        return new HeraldException(400, code, message);
    }

    public static HeraldException clientNotFound(String clientId) {
        return new HeraldException(404, "client_not_found", "client " + clientId + " is not connected");
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
