package io.streamforecaster.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator page's static files keep their rules where a reader could miss a slip: the chart
 * library is the WebJar the build ships (same version, found on the class path, no other host),
 * data never goes in as HTML, and every request goes through the one function that adds credentials.
 * (PageIT checks the page's behaviour in a browser.)
 */
class PageFilesTest {

    static final Path RESOURCES = Path.of("src", "main", "resources", "META-INF", "resources");

    static String read(String name) throws IOException {
        return Files.readString(RESOURCES.resolve(name), StandardCharsets.UTF_8);
    }

    @Test
    void shouldLoadTheChartLibraryFromTheWebJarThePomShips() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
        Matcher version = Pattern.compile("<uplot.version>([^<]+)</uplot.version>").matcher(pom);
        assertTrue(version.find(), "pom.xml sets uplot.version");
        String html = read("index.html");
        List<String> assets = new ArrayList<>();
        Matcher m = Pattern.compile("(?:src|href)=\"(webjars/[^\"]+)\"").matcher(html);
        while (m.find()) {
            assets.add(m.group(1));
        }
        assertEquals(2, assets.size(), "uPlot's script and style: " + assets);
        for (String asset : assets) {
            assertTrue(asset.startsWith("webjars/uplot/" + version.group(1) + "/"), asset + " names the pom's uplot.version " + version.group(1));
            try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/resources/" + asset)) {
                assertNotNull(in, asset + " is in the WebJar on the class path");
            }
        }
        assertFalse(Pattern.compile("(?:src|href)=\"(?:https?:)?//").matcher(html).find(), "nothing from another host (no CDN)");
    }

    @Test
    void shouldNeverPutDataInAsHtml() throws IOException {
        String js = read("page.js");
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")) {
            assertFalse(js.contains(sink), "page.js must not use " + sink + ": keys and values go in as text");
        }
    }

    @Test
    void shouldSendEveryRequestThroughTheFunctionThatAddsCredentials() throws IOException {
        String js = read("page.js");
        assertEquals(1, count(js, "fetch("), "one fetch, in api()");
        assertFalse(js.contains("XMLHttpRequest") || js.contains("EventSource") || js.contains("sendBeacon"), "no other way to ask");
        int api = js.indexOf("async function api(");
        int fetch = js.indexOf("fetch(");
        assertTrue(api >= 0 && fetch > api && fetch < js.indexOf("\n  }\n", api), "the fetch is inside api()");
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
