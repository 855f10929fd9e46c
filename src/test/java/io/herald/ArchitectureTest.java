package io.herald;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure README's "Architecture" describes: no two packages depend on each other, and each
 * layer uses only the layers below it. A change that needs an upward dependency needs a new seam instead
 * (an event, a small interface in the lower package).
 */
class ArchitectureTest {

    private static JavaClasses herald;

    @BeforeAll
    static void importClasses() {
        herald = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.herald.(*)..").should().beFreeOfCycles().check(herald);
    }

    @Test
    void layersPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                // the doors: REST, WebSocket, health and operations
                .layer("api").definedBy("io.herald.api..")
                .layer("health").definedBy("io.herald.health..")
                .layer("connection").definedBy("io.herald.connection..")
                // features around the pipeline
                .layer("webhook").definedBy("io.herald.webhook..")
                .layer("security").definedBy("io.herald.security..")
                // the pipeline, the store, the cluster
                .layer("gateway").definedBy("io.herald.gateway..")
                .layer("delivery").definedBy("io.herald.delivery..")
                .layer("cluster").definedBy("io.herald.cluster..")
                // who is connected, and what is sent to them
                .layer("routing").definedBy("io.herald.routing..")
                // shared by all
                .layer("metrics").definedBy("io.herald.metrics..")
                .layer("config").definedBy("io.herald.config..")
                .layer("background").definedBy("io.herald.background..")
                .layer("core").definedBy("io.herald.core..")

                .whereLayer("api").mayNotBeAccessedByAnyLayer()
                .whereLayer("health").mayOnlyBeAccessedByLayers("api")
                .whereLayer("connection").mayOnlyBeAccessedByLayers("api", "health")
                .whereLayer("webhook").mayOnlyBeAccessedByLayers("api", "health", "connection")
                .whereLayer("security").mayOnlyBeAccessedByLayers("api", "health", "connection", "webhook")
                .whereLayer("gateway").mayOnlyBeAccessedByLayers("api", "health", "connection", "webhook", "security")
                .whereLayer("delivery").mayOnlyBeAccessedByLayers("api", "health", "connection", "webhook", "security",
                        "gateway")
                .whereLayer("cluster").mayOnlyBeAccessedByLayers("api", "health", "connection", "webhook", "security",
                        "gateway", "delivery")
                .whereLayer("routing").mayOnlyBeAccessedByLayers("api", "health", "connection", "webhook", "security",
                        "gateway", "delivery", "cluster")
                .whereLayer("metrics").mayOnlyBeAccessedByLayers("api", "health", "connection", "webhook", "security",
                        "gateway", "delivery", "cluster", "routing")
                .whereLayer("config").mayOnlyBeAccessedByLayers("api", "health", "connection", "webhook", "security",
                        "gateway", "delivery", "cluster", "routing", "metrics")
                .whereLayer("background").mayOnlyBeAccessedByLayers("api", "health", "connection", "webhook",
                        "security", "gateway", "delivery", "cluster", "routing", "metrics", "config")
                .check(herald);
    }
}
