package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where --html finds each package's source: a module's directory tree or the Go module cache. */
class CoverSourcesTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheModuleLineOfAGoMod() {
        assertEquals(Optional.of("example.com/shop"), CoverSources.modulePath("// c\nmodule example.com/shop\n\ngo 1.22\n"));
        assertEquals(Optional.of("example.com/q"), CoverSources.modulePath("module \"example.com/q\" // quoted\n"));
        assertEquals(Optional.empty(), CoverSources.modulePath("go 1.22\n"));
    }

    @Test
    void findsTheModuleAroundADirectoryAndItsPackages() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("shop"));
        Files.writeString(root.resolve("go.mod"), "module example.com/shop\n");
        Path deep = Files.createDirectories(root.resolve("internal/cart"));
        CoverSources.Module module = CoverSources.enclosing(deep).orElseThrow();
        assertEquals(new CoverSources.Module("example.com/shop", root), module);
        assertEquals(deep, CoverSources.packageDir("example.com/shop/internal/cart", module));
        assertEquals(root, CoverSources.packageDir("example.com/shop", module));
        assertEquals(null, CoverSources.packageDir("example.com/shopping", module), "a prefix is not enough");
        assertEquals(Optional.empty(), CoverSources.enclosing(Files.createDirectories(tmp.resolve("loose"))));
    }

    @Test
    void findsAPackageInTheModuleCacheOnlyWhenOneVersionIsThere() throws Exception {
        Path cache = tmp.resolve("mod");
        Path v1 = Files.createDirectories(cache.resolve("example.com/!big!co/api@v1.2.0/server"));
        assertEquals(Optional.of(new CoverSources.Module("example.com/BigCo/api", v1.getParent())),
                CoverSources.inModuleCache(cache, "example.com/BigCo/api/server"));
        Files.createDirectories(cache.resolve("example.com/!big!co/api@v1.3.0/server"));
        assertEquals(Optional.empty(), CoverSources.inModuleCache(cache, "example.com/BigCo/api/server"),
                "two versions: which one was built cannot be known");
        assertEquals(Optional.empty(), CoverSources.inModuleCache(cache, "example.com/other"));
    }

    @Test
    void resolvesFromTheModulesFirstThenTheCacheAndNamesWhatIsMissing() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("shop"));
        Files.writeString(root.resolve("go.mod"), "module example.com/shop\n");
        Files.createDirectories(root.resolve("cart"));
        Path cached = Files.createDirectories(tmp.resolve("mod/example.com/lib@v0.1.0/util"));
        CoverSources.Resolution r = CoverSources.resolve(List.of("example.com/shop/cart", "example.com/lib/util",
                "example.com/gone", "example.com/shop/absent"), List.of(new CoverSources.Module("example.com/shop",
                        root)), tmp.resolve("mod"));
        assertEquals(Map.of("example.com/shop/cart", root.resolve("cart"), "example.com/lib/util", cached), r.dirs());
        assertEquals(List.of("example.com/gone", "example.com/shop/absent"), r.missing());
    }

    @Test
    void rewritesTheProfileWithAbsolutePaths() {
        List<String> profile = List.of("mode: set", "example.com/shop/cart/cart.go:3.14,5.2 1 1",
                "example.com/other/x.go:1.1,2.2 1 0");
        assertEquals(List.of("example.com/shop/cart", "example.com/other"), CoverSources.packages(profile));
        assertEquals(List.of("mode: set", tmp.resolve("cart/cart.go") + ":3.14,5.2 1 1",
                "example.com/other/x.go:1.1,2.2 1 0"), CoverSources.withAbsolutePaths(profile,
                        Map.of("example.com/shop/cart", tmp.resolve("cart"))));
    }
}
