package io.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.herald.connection.StreamApplication;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The two JAX-RS applications name their classes; together they must name every resource and provider. */
class RestApplicationTest {

    @Test
    void everyResourceAndProviderIsNamedByExactlyOneApplication() {
        Set<String> found = new TreeSet<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.herald")) {
            if (c.isAnnotatedWith(Path.class) || c.isAnnotatedWith(Provider.class)) {
                found.add(c.getName());
            }
        }
        Set<String> named = new TreeSet<>();
        new RestApplication().getClasses().forEach(c -> named.add(c.getName()));
        for (Class<?> c : new StreamApplication().getClasses()) {
            assertEquals(true, named.add(c.getName()), c + " is named by both applications");
        }
        assertEquals(found, named);
    }
}
