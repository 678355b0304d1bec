package io.integcov.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CoverageProfileTest {

    @Test
    void totalsPerPackageCountEachBlockOnceCoveredWhenAnyCountIsPositive() {
        CoverageProfile profile = CoverageProfile.parse(List.of(
                "mode: set",
                "example.com/shop/api/server.go:10.2,12.3 3 1",
                "example.com/shop/api/server.go:14.2,15.3 2 0",
                "example.com/shop/api/server.go:14.2,15.3 2 1", // the same block from a second binary, covered there
                "example.com/shop/api/server.go:20.2,21.3 5 0",
                "example.com/shop/db/db.go:3.1,4.1 4 0",
                "example.com/shop/db/db.go:3.1,4.1 4 0"));

        assertEquals(2, profile.packages().size());
        CoverageProfile.PackageTotals api = profile.packages().get(0);
        assertEquals("example.com/shop/api", api.name());
        assertEquals(new CoverageProfile.Totals(10, 5), api.totals());
        assertEquals(new CoverageProfile.Totals(4, 0), profile.packages().get(1).totals());
        assertEquals(new CoverageProfile.Totals(14, 5), profile.total());
        assertEquals(100.0 * 5 / 14, profile.total().percent(), 1e-9);
    }

    @Test
    void tableHasOneRowPerPackageAndATotal() {
        String table = CoverageProfile.parse(List.of("mode: count", "m/a/x.go:1.1,2.2 3 7", "m/b/y.go:1.1,2.2 1 0"))
                .table();
        List<String> rows = table.lines().toList();

        assertEquals(4, rows.size(), table);
        assertTrue(rows.get(0).matches("package\\s+statements\\s+covered\\s+percent"), rows.get(0));
        assertTrue(rows.get(1).matches("m/a\\s+3\\s+3\\s+100\\.0%"), rows.get(1));
        assertTrue(rows.get(2).matches("m/b\\s+1\\s+0\\s+0\\.0%"), rows.get(2));
        assertTrue(rows.get(3).matches("total\\s+4\\s+3\\s+75\\.0%"), rows.get(3));
    }

    @Test
    void emptyProfileIsZeroNotAnError() {
        assertEquals(new CoverageProfile.Totals(0, 0), CoverageProfile.parse(List.of("mode: set")).total());
        assertEquals(0.0, CoverageProfile.parse(List.of("mode: set")).total().percent());
    }

    @Test
    void malformedLineIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CoverageProfile.parse(List.of("mode: set", "garbage")));
    }
}
