package io.streamforecaster.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamforecaster.tools.LocalKafka;
import io.streamforecaster.tools.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The operator page in a real browser (Debian's headless Chromium through its chromedriver) against
 * the packaged service with data on a real broker: the overview shows the API's numbers for every
 * key, a key's chart plots exactly what {@code /history} returned, a retrain's model change is
 * marked, an injected spike's anomaly is marked and listed as {@code /anomalies} has it, a new value
 * arrives without a reload, and keys are text, never markup. It saves the
 * README's screenshots (target/screenshots; into docs/ with {@code -Dpage.screenshots=docs}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PageIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String INPUT = "page-input";
    static final ObjectMapper JSON = new ObjectMapper();
    static final String XSS = "<img src=x onerror=alert(1)>";
    /** Keys a page gets wrong when it builds HTML or URLs carelessly: markup, a slash, a percent sign, NFD, characters encodeURIComponent leaves alone. */
    static final List<String> KEYS = List.of("host-1/cpu", "disk used %", "cafe\u0301 load", XSS, "queue (depth)*!'", "orders-eu");
    /** Keys with one value each: the overview must stay usable with more than 10,000 keys. */
    static final int BULK = 10_000;
    static final long STEP_MS = 60_000;

    static LocalKafka kafka;
    static ServiceProcess service;
    static KafkaProducer<byte[], byte[]> producer;
    static ChromeDriver driver;
    static String base;
    static final long T0 = System.currentTimeMillis() - Duration.ofDays(1).toMillis();
    static final Map<String, Integer> sent = new HashMap<>();
    static final Random NOISE = new Random(12);

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "PageIT skipped: it needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "); install them with: apt-get install -y chromium chromium-driver");
        kafka = LocalKafka.start(null);
        kafka.createTopics(Map.of(INPUT, 2, "page-predictions", 2, "page-dlq", 1));
        Map<String, String> p = TestServices.properties(kafka.bootstrapServers(), "page-it", Files.createTempDirectory("page-state"),
                INPUT, "page-predictions", "page-dlq");
        p.put("forecaster.training.min-observations", "60");
        p.put("forecaster.training.min-new-observations", "10");
        p.put("forecaster.training.interval", "2s");
        p.put("forecaster.training.max-interval", "4s");
        p.put("forecaster.training.epochs", "3");
        p.put("forecaster.forecast.horizon", "6");
        p.put("forecaster.anomaly.warm-up", "50"); // the keys here have a few hundred values, not the default's 200 before scores count
        p.put("forecaster.anomaly.quiet", "0"); // so that an anomaly at the level shift cannot hold the spike back
        service = TestServices.startReady(p, "page");
        base = "http://localhost:" + service.httpPort() + "/";
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
        for (int i = 0; i < BULK; i++) {
            byte[] key = String.format("bulk-%05d", i).getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(INPUT, null, T0, key, Double.toString(i % 97).getBytes(StandardCharsets.UTF_8)));
        }
        sendAll(100);
        driver = chromium(Files.createTempDirectory("page-chromium"));
    }

    /** Headless Chromium through Debian's chromedriver, named explicitly so that Selenium Manager never downloads one. */
    static ChromeDriver chromium(Path profile) throws IOException {
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--user-data-dir=" + profile, "--window-size=1280,1000", "--force-device-scale-factor=1",
                "--lang=en-GB", "--hide-scrollbars");
        Path log = Path.of("target", "it-logs", "chromedriver.log");
        Files.createDirectories(log.getParent());
        ChromeDriverService driverService = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(log.toFile()).build();
        return new ChromeDriver(driverService, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (producer != null) {
            producer.close();
        }
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The next {@code steps} values of every key: a daily cycle per key, a level shift after step 130, noise. */
    static void sendAll(int steps) {
        for (int n = 0; n < steps; n++) {
            for (String key : KEYS) {
                send(key);
            }
        }
        producer.flush();
    }

    static long send(String key) {
        int k = KEYS.indexOf(key);
        int t = sent.getOrDefault(key, 0);
        return send(key, 50 + 10 * k + 8 * Math.sin(2 * Math.PI * t / 24.0) + (t > 130 ? 15 : 0) + NOISE.nextGaussian());
    }

    /** The key's next value, as given. */
    static long send(String key, double value) {
        int t = sent.merge(key, 1, Integer::sum) - 1;
        long timestamp = T0 + t * STEP_MS;
        producer.send(new ProducerRecord<>(INPUT, null, timestamp, key.getBytes(StandardCharsets.UTF_8),
                Double.toString(value).getBytes(StandardCharsets.UTF_8)));
        return timestamp;
    }

    static JsonNode api(String path) throws IOException {
        ServiceProcess.Response r = service.get(path);
        assertEquals(200, r.status(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** The key as the service encodes it (QueryRoutingIT's careful client). */
    static String segment(String key) {
        return QueryRoutingIT.segment(key);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    @Test
    @Order(1)
    void shouldListEveryKeyWithTheApisNumbersWorstFirstAndFindAKeyAmongTenThousand() throws Exception {
        await().alias("every key has a model and a ratio").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode page = api("/series?limit=" + KEYS.size());
            assertEquals(KEYS.size() + BULK, page.get("total").asInt(), "every key listed");
            for (JsonNode item : page.get("items")) {
                assertTrue(KEYS.contains(item.get("key").asText()), "keys with a ratio come first: " + item);
                assertTrue(item.get("modelVersion").asLong() >= 1, item.toString());
                assertTrue(item.get("coverage").isNumber(), item.toString());
                assertEquals(100, item.get("observations").asLong(), item.toString());
            }
        });
        driver.get(base);
        js("window.__loadedOnce = 'yes';");
        await().alias("the overview matches GET /series").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertOverviewMatches("/series?offset=0&limit=50&sort=-ratio", 50));
        assertTrue(driver.findElements(By.tagName("img")).isEmpty(), "no key became an element");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(StaleElementReferenceException.class) // rows are redrawn with each poll
                .untilAsserted(() -> assertEquals(XSS, driver.findElement(By.linkText(XSS)).getText(), "the markup key is shown as its text"));
        assertFalse(driver.findElement(By.id("partial")).isDisplayed(), "one instance answered: not partial");

        // a search among 10,006 keys: debounced (typing 9 characters asks once or twice), answered by the service
        long before = stat("overview");
        driver.findElement(By.id("q")).sendKeys("BULK-0999");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertOverviewMatches("/series?offset=0&limit=50&sort=-ratio&q=BULK-0999", 10));
        assertTrue(stat("overview") - before <= 3, "typing asks once the typing pauses, not per key stroke: " + (stat("overview") - before));
        assertTrue(driver.findElement(By.id("range")).getText().endsWith("of 10 keys"), driver.findElement(By.id("range")).getText());
        driver.findElement(By.id("q")).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);

        // sorting by a column's header: the service's order
        driver.findElement(By.cssSelector("th[data-sort=key] button")).click();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertOverviewMatches("/series?offset=0&limit=50&sort=key", 50));
        assertEquals("ascending", driver.findElement(By.cssSelector("th[data-sort=key]")).getAttribute("aria-sort"));
        driver.findElement(By.id("next")).click();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertOverviewMatches("/series?offset=50&limit=50&sort=key", 50));
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("sort"))).selectByValue("-ratio");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertOverviewMatches("/series?offset=0&limit=50&sort=-ratio", 50));
        assertEquals("yes", js("return window.__loadedOnce;"), "all of it without a reload");
        screenshot("page-overview", 1280, 820, false);
    }

    /** The rendered rows against the service's JSON for the same page: same keys in the same order, same values. */
    @SuppressWarnings("unchecked")
    void assertOverviewMatches(String path, int rows) throws IOException {
        JsonNode items = api(path).get("items");
        List<Map<String, Object>> shown = (List<Map<String, Object>>) js("""
                return Array.from(document.querySelectorAll('#rows tr')).map(tr => {
                  const cells = {};
                  for (const td of tr.cells) {
                    const d = td.querySelector('data');
                    cells[td.dataset.field] = { text: td.textContent, value: d ? d.value : null, flag: td.dataset.value || null, title: td.title };
                  }
                  return { key: tr.dataset.key, link: tr.querySelector('a').textContent, cells };
                });""");
        assertEquals(rows, items.size(), path);
        assertEquals(items.size(), shown.size(), "rows shown for " + path);
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            Map<String, Object> row = shown.get(i);
            String key = item.get("key").asText();
            assertEquals(key, row.get("key"), "row " + i + " of " + path);
            assertEquals(key, row.get("link"), "the key as text");
            Map<String, Map<String, Object>> cells = (Map<String, Map<String, Object>>) row.get("cells");
            assertEquals(item.get("source").isNull() ? "—" : item.get("source").asText(), cells.get("source").get("text"), key);
            assertNumber(item.get("modelVersion").asLong() == 0 ? null : item.get("modelVersion"), cells.get("modelVersion"), key + " version");
            assertNumber(item.get("maeRatio"), cells.get("maeRatio"), key + " ratio");
            assertShown(item.get("maeRatio"), (String) cells.get("maeRatio").get("text"), 1, key + " ratio as shown");
            assertNumber(item.get("coverage"), cells.get("coverage"), key + " coverage");
            assertShown(item.get("coverage"), ((String) cells.get("coverage").get("text")).replace(" %", ""), 100, key + " coverage as shown");
            assertEquals(String.valueOf(item.get("drifting").asBoolean()), cells.get("drifting").get("flag"), key);
            assertEquals(item.get("drifting").asBoolean() ? "⚠ drifting" : "no", cells.get("drifting").get("text"), key);
            if (item.get("trainedAt").isNull()) {
                assertEquals("", cells.get("modelAgeSeconds").get("value"), key + " has no model");
            } else {
                assertEquals("trained at " + item.get("trainedAt").asText(), cells.get("modelAgeSeconds").get("title"), key);
                double age = Double.parseDouble((String) cells.get("modelAgeSeconds").get("value"));
                assertTrue(Math.abs(age - item.get("modelAgeSeconds").asDouble()) <= 15, key + " age " + age + " against " + item);
            }
        }
    }

    /** The element's exact value is the JSON number (null: none, shown as a dash). */
    static void assertNumber(JsonNode expected, Map<String, Object> cell, String what) {
        String value = (String) cell.get("value");
        if (expected == null || expected.isNull()) {
            assertEquals("", value, what);
            assertEquals("—", cell.get("text"), what);
        } else {
            assertEquals(expected.asDouble(), Double.parseDouble(value), 0.0, what);
        }
    }

    /** The formatted text rounds the JSON number (times {@code scale}) to about four significant digits. */
    static void assertShown(JsonNode expected, String text, double scale, String what) {
        if (expected == null || expected.isNull()) {
            return;
        }
        double v = expected.asDouble() * scale;
        assertEquals(v, Double.parseDouble(text), Math.max(1e-9, Math.abs(v) * 1e-3), what + ": '" + text + "'");
    }

    /**
     * The next request for a key's anomalies fails (503, as while a key moves between instances): the
     * page asks again at its next poll. It used to note the new value as asked for before the answer,
     * and showed the old anomalies for the 15 s it waits between unchanged answers.
     */
    @Test
    @Order(7)
    void shouldAskAgainForAKeysAnomaliesWhenTheirRequestFailed() throws Exception {
        String key = KEYS.get(1);
        driver.get(base + "#/key/" + segment(key));
        await().atMost(Duration.ofSeconds(20)).until(() -> js("return forecasterPage.chart();") != null);
        js("const fetched = window.fetch; window.__failedAt = null; window.__askedAgainAt = null;"
                + "window.fetch = function (url, options) {"
                + "  if (String(url).endsWith('/anomalies')) {"
                + "    if (window.__failedAt === null) {"
                + "      window.__failedAt = Date.now();"
                + "      return Promise.resolve(new Response(JSON.stringify({ error: 'moving between instances' }),"
                + "          { status: 503, headers: { 'Content-Type': 'application/json', 'Retry-After': '1' } }));"
                + "    }"
                + "    if (window.__askedAgainAt === null) { window.__askedAgainAt = Date.now(); }"
                + "  }"
                + "  return fetched.apply(this, arguments);"
                + "};");
        send(key); // a new value: the page asks for the key's anomalies again, and that request fails
        producer.flush();
        await().alias("the failed request asked again").atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(250))
                .until(() -> js("return window.__askedAgainAt;") != null);
        long after = ((Number) js("return window.__askedAgainAt - window.__failedAt;")).longValue();
        assertTrue(after < 10_000, "asked again " + after + " ms after the failure, not after the 15 s between unchanged answers");
    }

    long stat(String name) {
        return ((Number) ((Map<?, ?>) js("return forecasterPage.stats();")).get(name)).longValue();
    }

    @Test
    @Order(2)
    void shouldDrawAKeysChartFromItsHistoryWithBandHorizonAndModelCard() throws Exception {
        sendAll(30);
        await().alias("the new values are in").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String key : KEYS) {
                JsonNode points = api("/series/" + segment(key) + "/history").get("points");
                assertEquals(T0 + 129 * STEP_MS, points.get(points.size() - 1).get("timestamp").asLong(), key);
            }
        });
        driver.get(base);
        String key = "host-1/cpu";
        // until the overview shows the key; it redraws its rows with each poll: a link found just before a redraw is gone, so find it again
        await().atMost(Duration.ofSeconds(15))
                .ignoreExceptionsMatching(e -> e instanceof StaleElementReferenceException || e instanceof NoSuchElementException).until(() -> {
            driver.findElement(By.linkText(key)).click();
            return true;
        });
        assertTrue(driver.getCurrentUrl().endsWith("#/key/" + segment(key)), driver.getCurrentUrl());
        assertChartMatches(key);
        assertEquals(key, driver.findElement(By.id("key-title")).getText());
        await().alias("the model card is GET /model's").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(StaleElementReferenceException.class) // the card is redrawn with each poll
                .untilAsserted(() -> {
            JsonNode model = api("/series/" + segment(key) + "/model");
            assertEquals(model.get("version").asLong(), Long.parseLong(field("version", true)));
            assertEquals(model.get("trainedAt").asText(), field("trainedAt", false));
            assertEquals(model.get("trainingLoss").asDouble(), Double.parseDouble(field("trainingLoss", true)), 0.0);
            assertEquals(model.get("promotions").asLong(), Long.parseLong(field("promotions", true)));
            assertEquals(model.get("rejections").asLong(), Long.parseLong(field("rejections", true)));
            assertEquals(model.get("variant").asText(), driver.findElement(By.cssSelector("#model-fields dd[data-field=variant]")).getText());
            String why = driver.findElement(By.id("why")).getText();
            assertTrue(why.startsWith("Serving"), why);
        });
        screenshot("page-key", 1280, 1180, false);

        // every key's view, through the same encoding: the page's key path is the service's, byte for byte
        for (String k : KEYS) {
            assertEquals(segment(k), js("return forecasterPage.keyPath(arguments[0]);", k), "path of " + k);
        }
        driver.get(base + "#/key/" + segment(XSS));
        assertChartMatches(XSS);
        assertEquals(XSS, driver.findElement(By.id("key-title")).getText());
        assertTrue(driver.findElements(By.tagName("img")).isEmpty(), "the key's markup is text");
    }

    /** What the chart was given equals GET /history: actuals, served forecasts, their band, the current forecast's horizon. */
    @SuppressWarnings("unchecked")
    void assertChartMatches(String key) {
        await().alias("the chart of " + key + " plots GET /history").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode h = api("/series/" + segment(key) + "/history");
            Map<String, Object> chart = (Map<String, Object>) js("return forecasterPage.chart();");
            assertNotNull(chart, "a chart is drawn");
            List<String> labels = (List<String>) chart.get("labels");
            assertEquals(List.of("time", "actual", "served forecast", "lower", "upper", "current forecast", "current lower", "current upper"), labels);
            List<List<Object>> data = (List<List<Object>>) chart.get("data");
            JsonNode points = h.get("points");
            JsonNode horizon = h.get("current").get("horizon");
            assertEquals(points.size() + horizon.size(), data.get(0).size());
            int withBand = 0;
            for (int i = 0; i < points.size(); i++) {
                JsonNode p = points.get(i);
                assertEquals(p.get("actual").asDouble(), ((Number) data.get(1).get(i)).doubleValue(), 0.0, "actual " + i);
                assertSame(p.get("forecast"), data.get(2).get(i), "forecast " + i);
                assertSame(p.get("lower"), data.get(3).get(i), "lower " + i);
                assertSame(p.get("upper"), data.get(4).get(i), "upper " + i);
                assertNull(data.get(5).get(i));
                withBand += p.get("lower").isNull() ? 0 : 1;
            }
            assertTrue(withBand > 20, "the band is drawn on most points: " + withBand);
            for (int j = 0; j < horizon.size(); j++) {
                int x = points.size() + j;
                assertNull(data.get(1).get(x), "no actual ahead");
                assertSame(horizon.get(j).get("forecast"), data.get(5).get(x), "horizon " + j);
                assertSame(horizon.get(j).get("lower"), data.get(6).get(x), "horizon lower " + j);
                assertSame(horizon.get(j).get("upper"), data.get(7).get(x), "horizon upper " + j);
            }
            Map<String, Object> marks = (Map<String, Object>) chart.get("marks");
            List<Object> outside = (List<Object>) marks.get("outside");
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < points.size(); i++) {
                if (points.get(i).get("outside").asBoolean()) {
                    expected.add(i);
                }
            }
            assertEquals(expected, outside.stream().map(o -> ((Number) o).intValue()).toList(), "outside marks");
            assertEquals(String.valueOf(points.size()), driver.findElement(By.id("chart")).getAttribute("data-points"));
        });
    }

    static void assertSame(JsonNode expected, Object shown, String what) {
        if (expected == null || expected.isNull()) {
            assertNull(shown, what);
        } else {
            assertNotNull(shown, what);
            assertEquals(expected.asDouble(), ((Number) shown).doubleValue(), 0.0, what);
        }
    }

    String field(String name, boolean data) {
        WebElement dd = driver.findElement(By.cssSelector("#model-fields dd[data-field=" + name + "]"));
        return data ? dd.findElement(By.tagName("data")).getAttribute("value") : dd.getAttribute("data-value");
    }

    static String changedKey;

    @Test
    @Order(3)
    void shouldMarkAModelChangeWithItsVersionAfterARetrain() throws Exception {
        // values keep coming (the level shift is in them) until a retrained model is promoted and has served
        await().alias("a promoted model served").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            sendAll(3);
            for (String key : KEYS) {
                if (api("/series/" + segment(key) + "/history").get("modelChanges").size() > 0) {
                    changedKey = key;
                    return true;
                }
            }
            return false;
        });
        driver.get(base + "#/key/" + segment(changedKey));
        await().alias("the model change is marked").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(StaleElementReferenceException.class) // the list is redrawn with each poll
                .untilAsserted(() -> {
            JsonNode changes = api("/series/" + segment(changedKey) + "/history").get("modelChanges");
            JsonNode last = changes.get(changes.size() - 1);
            List<WebElement> items = driver.findElements(By.cssSelector("#changes li[data-to-version]"));
            assertEquals(changes.size(), items.size());
            assertTrue(items.get(0).getText().startsWith("v" + last.get("fromVersion").asLong() + " → v" + last.get("toVersion").asLong()),
                    items.get(0).getText());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> marks = (List<Map<String, Object>>) js("return forecasterPage.chart().marks.changes;");
            assertEquals(last.get("toVersion").asLong(), ((Number) marks.get(marks.size() - 1).get("toVersion")).longValue());
            assertEquals(last.get("timestamp").asLong(), ((Number) marks.get(marks.size() - 1).get("timestamp")).longValue());
        });
    }

    @Test
    @Order(4)
    void shouldShowANewValueWithoutReloadAndKeepItsRequestRateBound() throws Exception {
        String key = changedKey != null ? changedKey : KEYS.get(0);
        driver.get(base + "#/key/" + segment(key));
        await().atMost(Duration.ofSeconds(20)).until(() -> js("return forecasterPage.chart();") != null);
        js("window.__loadedOnce = 'yes';");
        long requests = stat("requests");
        long anomaliesBefore = stat("anomalies");
        long started = System.nanoTime();
        long timestamp = send(key);
        producer.flush();
        await().alias("the new value on the chart").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            @SuppressWarnings("unchecked")
            List<Object> timestamps = (List<Object>) js("return forecasterPage.chart().marks.timestamps;");
            assertTrue(timestamps.stream().anyMatch(t -> t != null && ((Number) t).longValue() == timestamp), "timestamp " + timestamp);
        });
        assertEquals("yes", js("return window.__loadedOnce;"), "no reload");
        // the bound: one history request per 2 s, one model request per 15 s (or when the version changes), the
        // anomalies only after a history request that brought a new value (one here) or once per 15 s
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
        double seconds = (System.nanoTime() - started) / 1e9;
        long asked = stat("requests") - requests;
        long anomaliesAsked = stat("anomalies") - anomaliesBefore;
        assertTrue(anomaliesAsked <= 1 + Math.ceil(seconds / 15) + 1, anomaliesAsked + " anomalies requests in " + seconds + " s");
        assertTrue(asked <= Math.ceil(seconds / 2) + 1 + Math.ceil(seconds / 15) + 1 + anomaliesAsked, asked + " requests in " + seconds + " s");
        assertTrue(asked >= 2, "it polls: " + asked);
    }

    @Test
    @Order(5)
    @SuppressWarnings("unchecked")
    void shouldMarkAndListAnInjectedSpikesAnomalyAsTheApiHasIt() throws Exception {
        String key = "disk used %";
        double spike = 10_000 + NOISE.nextInt(1000); // far beyond anything the key has shown
        long timestamp = send(key, spike);
        producer.flush();
        String path = "/series/" + segment(key);
        await().alias("the spike is an anomaly with a point in the history").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
            JsonNode anomalies = api(path + "/anomalies").get("anomalies");
            assertTrue(anomalies.size() > 0, "no anomalies listed");
            JsonNode newest = anomalies.get(anomalies.size() - 1);
            assertEquals(timestamp, newest.get("timestamp").asLong(), anomalies.toString());
            assertEquals(spike, newest.get("actual").asDouble(), 0.0);
            JsonNode points = api(path + "/history").get("points");
            assertEquals(timestamp, points.get(points.size() - 1).get("timestamp").asLong());
        });
        driver.get(base + "#/key/" + segment(key));
        await().alias("the chart's anomaly marks and the list are GET /anomalies'").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(StaleElementReferenceException.class) // the list is redrawn with each poll
                .untilAsserted(() -> {
            JsonNode answer = api(path + "/anomalies");
            JsonNode anomalies = answer.get("anomalies");
            JsonNode points = api(path + "/history").get("points");
            Map<String, Object> chart = (Map<String, Object>) js("return forecasterPage.chart();");
            assertNotNull(chart, "a chart is drawn");
            List<Map<String, Object>> marks = (List<Map<String, Object>>) ((Map<String, Object>) chart.get("marks")).get("anomalies");
            // every anomaly whose value is on the chart is marked there, at that value, with the API's numbers
            List<String> expected = new ArrayList<>();
            for (JsonNode a : anomalies) {
                for (int i = 0; i < points.size(); i++) {
                    if (points.get(i).get("timestamp").asLong() == a.get("timestamp").asLong()) {
                        expected.add(i + " " + a.get("timestamp").asLong() + " " + a.get("score").asDouble() + " " + a.get("actual").asDouble() + " "
                                + (a.has("expected") ? a.get("expected").asDouble() : null));
                    }
                }
            }
            List<String> shown = marks.stream().map(m -> ((Number) m.get("index")).intValue() + " " + ((Number) m.get("timestamp")).longValue() + " "
                    + ((Number) m.get("score")).doubleValue() + " " + ((Number) m.get("actual")).doubleValue() + " "
                    + (m.get("expected") == null ? null : ((Number) m.get("expected")).doubleValue())).toList();
            assertEquals(expected, shown, "anomaly marks");
            assertEquals(points.size() - 1, ((Number) marks.get(marks.size() - 1).get("index")).intValue(), "the spike is marked on its value");
            assertEquals(spike, ((Number) marks.get(marks.size() - 1).get("actual")).doubleValue(), 0.0);
            // the list: every anomaly, newest first, each number the API's
            List<Map<String, Object>> rows = (List<Map<String, Object>>) js("""
                    return Array.from(document.querySelectorAll('#anomaly-rows tr')).map(tr => {
                      const row = { timestamp: tr.dataset.timestamp };
                      for (const td of tr.cells) {
                        if (td.dataset.field && td.querySelector('data')) row[td.dataset.field] = td.querySelector('data').value;
                      }
                      return row;
                    });""");
            assertEquals(anomalies.size(), rows.size(), "rows listed");
            for (int i = 0; i < rows.size(); i++) {
                JsonNode a = anomalies.get(anomalies.size() - 1 - i);
                Map<String, Object> row = rows.get(i);
                assertEquals(String.valueOf(a.get("timestamp").asLong()), row.get("timestamp"), "row " + i);
                assertEquals(a.get("score").asDouble(), Double.parseDouble((String) row.get("score")), 0.0, "score " + i);
                assertEquals(a.get("actual").asDouble(), Double.parseDouble((String) row.get("actual")), 0.0, "actual " + i);
                if (a.has("expected")) {
                    assertEquals(a.get("expected").asDouble(), Double.parseDouble((String) row.get("expected")), 0.0, "expected " + i);
                } else {
                    assertEquals("", row.get("expected"), "no expected value " + i);
                }
            }
            assertEquals(answer.get("latestScore").asDouble(),
                    Double.parseDouble(driver.findElement(By.cssSelector("#anomaly-latest data")).getAttribute("value")), 0.0, "latest score");
        });
        screenshot("page-key-anomaly", 1280, 1400, false);
    }

    @Test
    @Order(6)
    void shouldFitAPhoneWidthAndSaveTheScreenshots() throws Exception {
        // the README's overview again, now that the keys' models have served for a while
        driver.get(base);
        await().atMost(Duration.ofSeconds(15)).until(() -> driver.findElements(By.cssSelector("#rows tr")).size() == 50);
        screenshot("page-overview", 1280, 820, false);
        phone(true);
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> driver.findElements(By.cssSelector("#rows tr")).size() == 50);
            assertNoSidewaysScroll("overview");
            screenshot("page-phone", 390, 844, true);
            driver.get(base + "#/key/" + segment(KEYS.get(0)));
            await().atMost(Duration.ofSeconds(15)).until(() -> js("return forecasterPage.chart();") != null);
            assertNoSidewaysScroll("one key");
        } finally {
            phone(false);
        }
    }

    void assertNoSidewaysScroll(String view) {
        Number scroll = (Number) js("return document.documentElement.scrollWidth;");
        Number width = (Number) js("return document.documentElement.clientWidth;");
        assertTrue(scroll.intValue() <= width.intValue(), view + " at phone width scrolls sideways: " + scroll + " > " + width);
    }

    void phone(boolean on) {
        if (on) {
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 390, "height", 844, "deviceScaleFactor", 1, "mobile", true));
        } else {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    /** A PNG of the page at this size, under target/screenshots, and under docs/ with -Dpage.screenshots=docs. */
    void screenshot(String name, int width, int height, boolean mobile) throws IOException {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        Path target = Path.of("target", "screenshots", name + ".png");
        Files.createDirectories(target.getParent());
        Files.write(target, png);
        if ("docs".equals(System.getProperty("page.screenshots"))) {
            Files.createDirectories(Path.of("docs"));
            Files.write(Path.of("docs", name + ".png"), png);
        }
        if (!mobile) {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }
}
