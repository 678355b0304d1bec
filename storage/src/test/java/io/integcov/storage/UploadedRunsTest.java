package io.integcov.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.integcov.storage.Storage.StoredObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class UploadedRunsTest {
    private static final String RUN_A = "ns/e2e/uid-1/pod-a/app/20261125T160000Z-1a2b";
    private static final String RUN_B = "ns/e2e/uid-1/pod-b/app/20261125T160100Z-3c4d";
    private static final String RUN_C = "ns/e2e/uid-2/pod-a/app/20261125T170000Z-5e6f";

    @Test
    void groupsFilesByRunDirectoryAndFindsManifests() {
        List<UploadedRuns.Run> runs = UploadedRuns.group(List.of(
                new StoredObject(RUN_A + "/covmeta.aa", 10),
                new StoredObject(RUN_A + "/covcounters.aa.1.99", 20),
                new StoredObject(RUN_A + "/integcov-manifest.json", 300),
                new StoredObject(RUN_B + "/covcounters.aa.1.100", 21),
                new StoredObject(RUN_B + "/README.txt", 5)));

        assertEquals(2, runs.size());
        assertEquals(RUN_A, runs.get(0).dir());
        assertTrue(runs.get(0).committed());
        assertEquals(List.of("covmeta.aa", "covcounters.aa.1.99"),
                runs.get(0).coverageFiles().stream().map(StoredObject::name).toList());
        assertFalse(runs.get(1).committed());
        assertEquals(List.of("covcounters.aa.1.100"), runs.get(1).coverageFiles().stream().map(StoredObject::name).toList());
    }

    @Test
    void countsTheCapturesTheRunsComeFrom() {
        List<UploadedRuns.Run> runs = UploadedRuns.group(List.of(
                new StoredObject(RUN_A + "/covmeta.aa", 10),
                new StoredObject(RUN_B + "/covmeta.aa", 10),
                new StoredObject(RUN_C + "/covmeta.aa", 10)));

        assertEquals(List.of("ns/e2e/uid-1", "ns/e2e/uid-1", "ns/e2e/uid-2"),
                runs.stream().map(UploadedRuns.Run::captureDir).toList());
        assertEquals(2, UploadedRuns.captureCount(runs));
    }

    @Test
    void manifestWithoutCoverageFilesIsStillARun() {
        List<UploadedRuns.Run> runs = UploadedRuns.group(List.of(new StoredObject(RUN_A + "/integcov-manifest.json", 3)));
        assertEquals(1, runs.size());
        assertTrue(runs.get(0).coverageFiles().isEmpty());
    }

    @Test
    void reportsMissingResizedAndFailedFiles() {
        UploadedRuns.Run run = UploadedRuns.group(List.of(
                new StoredObject(RUN_A + "/covmeta.aa", 10),
                new StoredObject(RUN_A + "/covcounters.aa.1.99", 19),
                new StoredObject(RUN_A + "/integcov-manifest.json", 300))).get(0);
        Manifest manifest = new Manifest(1, "ns", "pod-a", "app", "r", 0, null, null, null, null,
                List.of(new Manifest.FileEntry("covmeta.aa", 10, 1),
                        new Manifest.FileEntry("covcounters.aa.1.99", 20, 2),
                        new Manifest.FileEntry("covcounters.aa.1.98", 20, 3)),
                List.of("covcounters.aa.1.97"));

        List<UploadedRuns.Problem> problems = UploadedRuns.problems(run, manifest);

        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).message().contains("covcounters.aa.1.99 has 19 bytes, the manifest says 20"));
        assertEquals(UploadedRuns.Problem.Kind.CORRUPT, problems.get(0).kind());
        assertTrue(problems.get(1).message().contains("covcounters.aa.1.98 is in the manifest but missing"));
        assertEquals(UploadedRuns.Problem.Kind.MISSING, problems.get(1).kind());
        assertTrue(problems.get(2).message().contains("could not upload covcounters.aa.1.97"));
        assertEquals(List.of(RUN_A, "covcounters.aa.1.97"), List.of(problems.get(2).runDir(), problems.get(2).file()));
    }

    @Test
    void consistentRunHasNoProblems() {
        UploadedRuns.Run run = UploadedRuns.group(List.of(new StoredObject(RUN_A + "/covmeta.aa", 10),
                new StoredObject(RUN_A + "/integcov-manifest.json", 300))).get(0);
        Manifest manifest = new Manifest(1, "ns", "pod-a", "app", "r", 0, null, null, null, null,
                List.of(new Manifest.FileEntry("covmeta.aa", 10, 1)), null);
        assertEquals(List.of(), UploadedRuns.problems(run, manifest));
    }
}
