// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import hydrapi.InvalidInputException;
import hydrapi.io.ProgressListener;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;
import hydrapi.recipe.Contribution;
import hydrapi.recipe.ImageFacts;
import hydrapi.recipe.Recipe;
import hydrapi.source.BaseSource;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;
import hydrapi.trust.BasePolicy;
import hydrapi.trust.BuildManifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recipe seam, with recipes only this test knows: the pipeline runs any {@link Recipe} the same way, layers its
 * files around the overlays, records it in the manifest, and checks every recipe before any contributes.
 */
class BuilderRecipesTest {

    @TempDir
    Path tmp;

    /** A recipe writing one file, recording every call it gets in {@code calls}. */
    private record FileRecipe(String name, Layer layer, String path, String text, Map<String, String> facts,
                              List<String> calls, String refusal) implements Recipe {
        @Override
        public void validate() {
            calls.add(name + " validate");
        }

        @Override
        public void check(ImageFacts image) throws IOException {
            calls.add(name + " check " + image.stat("/etc/passwd").map(ImageFacts.Entry::kind).orElse(null));
            if (refusal != null) {
                throw new InvalidInputException(refusal);
            }
        }

        @Override
        public Contribution contribute(ImageFacts image) throws IOException {
            calls.add(name + " contribute");
            byte[] bytes = (text + " on " + image.bootMount() + "\n").getBytes(StandardCharsets.UTF_8);
            return new Contribution(List.of(FileSpec.file(path, 0644, new Content.Bytes(bytes))), facts);
        }
    }

    private BuildRequest request(Path out, List<Path> overlays, List<Recipe> recipes) {
        return new BuildRequest(new BaseSource.Local(Samples.sampleXz()), new BasePolicy(null, List.of(), false), out,
                overlays, recipes, 2, 4 << 20, 0, Instant.ofEpochSecond(1700000000), tmp, tmp.resolve("cache"), null,
                null, null, null, false);
    }

    @Test
    void recipes_layerAroundTheOverlays_andAreRecordedInOrder() throws IOException {
        Path overlay = tmp.resolve("overlay");
        Files.createDirectories(overlay.resolve("etc"));
        Files.writeString(overlay.resolve("etc/below"), "overlay\n");
        Files.writeString(overlay.resolve("etc/above"), "overlay\n");
        List<String> calls = new ArrayList<>();
        // Listed above-first: the layer, not the list, puts a recipe under or over the overlays.
        Recipe above = new FileRecipe("above", Recipe.Layer.ABOVE_OVERLAYS, "/etc/above", "above", Map.of(), calls,
                null);
        Recipe below = new FileRecipe("below", Recipe.Layer.BELOW_OVERLAYS, "/etc/below", "below",
                Map.of("z_last", "2", "a_first", "1"), calls, null);
        Recipe alone = new FileRecipe("alone", Recipe.Layer.BELOW_OVERLAYS, "/etc/alone", "alone", Map.of(), calls,
                null);
        Path out = tmp.resolve("out.img.xz");
        new Builder(ProgressListener.NONE).build(request(out, List.of(overlay), List.of(above, below, alone)));

        assertEquals(List.of("above validate", "below validate", "alone validate", "above check FILE",
                "below check FILE", "alone check FILE", "below contribute", "alone contribute",
                "above contribute"), calls);
        Path raw = tmp.resolve("out.img");
        Oracles.xzDecompress(out, raw);
        assertArrayEquals("overlay\n".getBytes(StandardCharsets.UTF_8),
                Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/below"), "an overlay wins over a recipe below it");
        assertArrayEquals("above on /boot/firmware\n".getBytes(StandardCharsets.UTF_8),
                Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/above"), "a recipe above the overlays wins");
        assertArrayEquals("alone on /boot/firmware\n".getBytes(StandardCharsets.UTF_8),
                Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/alone"));
        Oracles.assertE2fsckClean(raw, Samples.ROOT_OFFSET);

        Path manifest = out.resolveSibling("out.img.xz.manifest.json");
        BuildManifest m = BuildManifest.parse(Files.readString(manifest), manifest.toString());
        assertEquals(List.of(new BuildManifest.RecipeRecord("below", Map.of("a_first", "1", "z_last", "2")),
                new BuildManifest.RecipeRecord("alone", Map.of()), new BuildManifest.RecipeRecord("above", Map.of())),
                m.recipes(), "in the order they were applied");
        Oracles.check("jq", "-e", "(.recipes[0].facts | keys_unsorted) == [\"a_first\", \"z_last\"]",
                manifest.toString());
    }

    @Test
    void aRecipesRefusal_comesBeforeAnyRecipeContributes_andLeavesNothing() throws IOException {
        List<String> calls = new ArrayList<>();
        Recipe fetcher = new FileRecipe("fetcher", Recipe.Layer.BELOW_OVERLAYS, "/etc/f", "f", Map.of(), calls, null);
        Recipe picky = new FileRecipe("picky", Recipe.Layer.BELOW_OVERLAYS, "/etc/p", "p", Map.of(), calls,
                "this image is not for me");
        Path outDir = Files.createDirectories(tmp.resolve("refused"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new Builder(ProgressListener.NONE)
                .build(request(outDir.resolve("out.img.xz"), List.of(), List.of(fetcher, picky))));
        assertEquals("this image is not for me", e.getMessage());
        assertFalse(calls.contains("fetcher contribute"), calls.toString());
        try (Stream<Path> left = Files.list(outDir)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
