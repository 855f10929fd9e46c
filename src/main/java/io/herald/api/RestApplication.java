package io.herald.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST API for backends, under /api (PROTOCOL.md, "REST API"). */
@ApplicationPath("/api")
public class RestApplication extends Application {
}
