package io.integcov.cli.collect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Statement totals per package from a text coverage profile ({@code go tool covdata textfmt} output, the format of
 * {@code go test -coverprofile}): {@code mode: set} then lines {@code <file>:<l>.<c>,<l>.<c> <statements> <count>}.
 * A block listed more than once (several binaries that link the same package) counts once, covered when any of its
 * lines has a count above zero, as {@code go tool cover} merges them.
 */
final class CoverageProfile {
    record Totals(long statements, long covered) {
        double percent() {
            return statements == 0 ? 0 : 100.0 * covered / statements;
        }
    }

    record PackageTotals(String name, Totals totals) {
    }

    private final Map<String, PackageTotals> packages;
    private final Totals total;

    private CoverageProfile(Map<String, PackageTotals> packages, Totals total) {
        this.packages = packages;
        this.total = total;
    }

    static CoverageProfile read(Path profile) throws IOException {
        return parse(Files.readAllLines(profile));
    }

    static CoverageProfile parse(List<String> lines) {
        Map<String, long[]> blocks = new HashMap<>(); // block -> {statements, covered 0/1}
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("mode:")) {
                continue;
            }
            int countAt = line.lastIndexOf(' ');
            int statementsAt = line.lastIndexOf(' ', countAt - 1);
            if (countAt < 0 || statementsAt < 0 || line.lastIndexOf(':', statementsAt) < 0) {
                throw new IllegalArgumentException("not a coverage profile line: " + line);
            }
            String block = line.substring(0, statementsAt);
            long statements = Long.parseLong(line.substring(statementsAt + 1, countAt));
            boolean covered = Long.parseLong(line.substring(countAt + 1)) > 0;
            long[] merged = blocks.computeIfAbsent(block, b -> new long[] {statements, 0});
            if (covered) {
                merged[1] = 1;
            }
        }
        Map<String, long[]> byPackage = new TreeMap<>();
        long statements = 0;
        long covered = 0;
        for (Map.Entry<String, long[]> block : blocks.entrySet()) {
            String file = block.getKey().substring(0, block.getKey().lastIndexOf(':'));
            String pkg = file.contains("/") ? file.substring(0, file.lastIndexOf('/')) : file;
            long[] sums = byPackage.computeIfAbsent(pkg, p -> new long[2]);
            long blockStatements = block.getValue()[0];
            long blockCovered = block.getValue()[1] == 1 ? blockStatements : 0;
            sums[0] += blockStatements;
            sums[1] += blockCovered;
            statements += blockStatements;
            covered += blockCovered;
        }
        Map<String, PackageTotals> packages = new TreeMap<>();
        byPackage.forEach((name, sums) -> packages.put(name, new PackageTotals(name, new Totals(sums[0], sums[1]))));
        return new CoverageProfile(packages, new Totals(statements, covered));
    }

    List<PackageTotals> packages() {
        return new ArrayList<>(packages.values());
    }

    Totals total() {
        return total;
    }

    /** A table for people: one row per package, then the total. */
    String table() {
        int width = Math.max("total".length(), packages.keySet().stream().mapToInt(String::length).max().orElse(0));
        StringBuilder out = new StringBuilder();
        String format = "%-" + width + "s  %10s  %8s  %7s%n";
        out.append(String.format(format, "package", "statements", "covered", "percent"));
        for (PackageTotals pkg : packages.values()) {
            out.append(row(format, pkg.name(), pkg.totals()));
        }
        out.append(row(format, "total", total));
        return out.toString();
    }

    private static String row(String format, String name, Totals totals) {
        return String.format(format, name, totals.statements(), totals.covered(),
                String.format("%.1f%%", totals.percent()));
    }
}
