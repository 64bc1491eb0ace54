package io.harborai.worker.cost;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.harborai.worker.avro.Cost;
import io.harborai.worker.metrics.MetricsCatalog;
import io.harborai.worker.redis.RedisGate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Daily tenant budgets shared by every worker instance through Redis.
 *
 * <p>Contract: a tenant's spend today is the float under {@code <keyPrefix><tenant>:<yyyy-MM-dd>}
 * (the day in {@link BudgetSettings#zone()}, from the injected {@link Clock}), which expires two
 * days after its last increment. {@link #record} sends one script (INCRBYFLOAT, then EXPIRE) and
 * the total it returns updates the local view; {@link #exceeded} answers {@code spent >= limit}
 * from the local view only, and sends an asynchronous GET to refresh it when the tenant is new to
 * this instance, when the day has changed, or once {@code refreshInterval} has passed since the
 * last refresh. Within a day spend only grows, so the view keeps the largest total it has seen
 * (answers may arrive out of order); deleting a key by hand takes effect here at the next day.
 * Tenants without a limit are never refreshed, but their spend is recorded all the same.
 *
 * <p>Limits, by design: a limit is a soft bound. A call is checked before it is made and priced
 * after, so every call already admitted when the limit is reached still spends: the overrun is at
 * most the cost of the calls in flight across all instances, plus what other instances spent within
 * the last {@code refreshInterval} (which this one has not seen yet), plus the first calls of a
 * tenant new to an instance, admitted while its first GET is in flight. Spend in another currency
 * than the settings' is not counted ({@value #UNCOUNTED}). A restarted, empty Redis forgets the
 * day's spend of instances that have not seen it.
 *
 * <p>Fail open: a budget must not take the service down with Redis. A failed or timed-out call adds
 * to {@value #ERRORS} and marks Redis down; while down, {@code exceeded} answers {@code false},
 * spend is only added to the local view (it is not written to Redis later), and one refresh GET
 * per {@code probeInterval} goes to Redis as a probe; its success marks Redis up again
 * ({@link RedisGate}).
 *
 * <p>Meters, registered at construction and removed by {@link #close()}: {@value #REJECTIONS}
 * (answers of {@code exceeded} that were {@code true}; no tenant tag, tenants are unbounded),
 * {@value #UNCOUNTED}, {@value #ERRORS} and the gauge {@value #AVAILABLE} (1 up, 0 down).
 *
 * <p>Threading: {@code exceeded} and {@code record} run on Kafka Streams threads and only read or
 * update the local view and start Redis commands; answers are applied on Redisson's threads (or
 * the JDK's delay thread for a timeout). Each tenant's view is guarded by its own monitor, held
 * for a few field updates; the view map is a Caffeine cache (at most {@value #MAX_TENANTS}
 * tenants, dropped after a day unused: a dropped tenant is simply loaded again).
 */
public final class RedisTenantBudgets implements TenantBudgets {

    static final int MAX_TENANTS = 100_000;
    static final Duration KEY_TTL = Duration.ofDays(2);
    private static final String INCREMENT = "local v = redis.call('INCRBYFLOAT', KEYS[1], ARGV[1]) "
            + "redis.call('EXPIRE', KEYS[1], ARGV[2]) return v";

    /**
     * How this talks to Redis.
     *
     * @param callTimeout the longest any command may take before it counts as failed
     * @param probeInterval how long after a failure the next probe may go to Redis
     * @param refreshInterval how often a limited tenant's spend is read again from Redis
     */
    public record Timing(Duration callTimeout, Duration probeInterval, Duration refreshInterval) {
        public static final Timing DEFAULT =
                new Timing(Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    private final RedissonClient client;
    private final BudgetSettings settings;
    private final Clock clock;
    private final LongSupplier nanoClock;
    private final long refreshNanos;
    private final RedisGate gate;
    private final RScript script;
    private final Cache<String, View> views = Caffeine.newBuilder()
            .maximumSize(MAX_TENANTS)
            .expireAfterAccess(Duration.ofDays(1))
            .build();
    private final MeterRegistry meters;
    private final List<Meter> registered = new ArrayList<>();
    private final Counter rejections;
    private final Counter uncounted;

    /** With {@link Timing#DEFAULT} and {@link System#nanoTime()}. */
    public RedisTenantBudgets(RedissonClient client, BudgetSettings settings, Clock clock, MeterRegistry meters) {
        this(client, settings, Timing.DEFAULT, clock, System::nanoTime, meters);
    }

    /**
     * @param client shared with the rest of the worker; the caller shuts it down
     * @param clock wall-clock time, for the day boundary
     * @param nanoClock monotonic nanoseconds, for refresh and probe intervals
     */
    public RedisTenantBudgets(
            RedissonClient client,
            BudgetSettings settings,
            Timing timing,
            Clock clock,
            LongSupplier nanoClock,
            MeterRegistry meters) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.refreshNanos = timing.refreshInterval().toNanos();
        this.gate = new RedisGate(
                "budget store (" + settings.keyPrefix() + ")",
                "letting every request through",
                timing.callTimeout(),
                nanoClock,
                timing.probeInterval());
        this.script = client.getScript(StringCodec.INSTANCE);
        this.meters = Objects.requireNonNull(meters, "meters");
        this.rejections = keep(Counter.builder(MetricsCatalog.BUDGET_REJECTIONS)
                .description("Requests refused because their tenant had spent its daily budget")
                .register(meters));
        this.uncounted = keep(Counter.builder(MetricsCatalog.BUDGET_UNCOUNTED)
                .description("Costs not counted against a budget: in another currency than the limits")
                .register(meters));
        keep(FunctionCounter.builder(MetricsCatalog.BUDGET_ERRORS, gate, RedisGate::errors)
                .description("Failed or timed-out Redis budget calls")
                .register(meters));
        keep(Gauge.builder(MetricsCatalog.BUDGET_AVAILABLE, gate, g -> g.available() ? 1 : 0)
                .description("1 while budgets are read from Redis, 0 while it is down (all requests pass)")
                .register(meters));
        gate.connectAhead(() ->
                client.getBucket(settings.keyPrefix(), StringCodec.INSTANCE).isExistsAsync());
    }

    @Override
    public boolean exceeded(String tenant) {
        String t = TenantBudgets.tenantKey(tenant);
        double limit = settings.limitFor(t);
        if (limit <= 0) {
            return false;
        }
        LocalDate day = today();
        View view = views.get(t, View::new);
        double spent = view.spentOn(day);
        maybeRefresh(view, day);
        if (!gate.available() || spent < limit) {
            return false;
        }
        rejections.increment();
        return true;
    }

    @Override
    public void record(String tenant, Cost cost) {
        if (cost == null || !(cost.getAmount() > 0) || !Double.isFinite(cost.getAmount())) {
            return;
        }
        if (!settings.currency().equals(String.valueOf(cost.getCurrency()))) {
            uncounted.increment();
            return;
        }
        String t = TenantBudgets.tenantKey(tenant);
        double amount = cost.getAmount();
        LocalDate day = today();
        String key = key(t, day);
        CompletableFuture<String> call = gate.send(
                "INCRBYFLOAT",
                () -> script.<String>evalAsync(
                        key,
                        RScript.Mode.READ_WRITE,
                        INCREMENT,
                        RScript.ReturnType.VALUE,
                        List.of(key),
                        BigDecimal.valueOf(amount).toPlainString(),
                        Long.toString(KEY_TTL.toSeconds())),
                false);
        if (call == null) {
            addLocally(t, day, amount);
            return;
        }
        call.whenComplete((total, e) -> {
            if (e != null) {
                addLocally(t, day, amount); // the increment may or may not have happened; the view keeps the max
            } else {
                View view = views.getIfPresent(t);
                if (view != null) {
                    view.raise(day, parse(total));
                }
            }
        });
    }

    /** Stops using Redis and removes the meters; leaves the shared client running. */
    @Override
    public void close() {
        gate.close();
        for (Meter m : registered) {
            meters.remove(m);
        }
    }

    /** Whether calls currently go to Redis. */
    public boolean available() {
        return gate.available();
    }

    /** The Redis key of {@code tenant}'s spend on {@code day}. */
    String key(String tenant, LocalDate day) {
        return settings.keyPrefix() + tenant + ":" + day;
    }

    /** What this instance believes {@code tenant} has spent today (tests). */
    double localSpend(String tenant) {
        View view = views.getIfPresent(TenantBudgets.tenantKey(tenant));
        return view == null ? 0 : view.spentOn(today());
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), settings.zone());
    }

    private void maybeRefresh(View view, LocalDate day) {
        long now = nanoClock.getAsLong();
        if ((!view.refreshDue && now - view.nextRefreshNanos < 0) || !view.refreshing.compareAndSet(false, true)) {
            return;
        }
        String key = key(view.tenant, day);
        CompletableFuture<String> call = gate.send(
                "GET", () -> client.<String>getBucket(key, StringCodec.INSTANCE).getAsync(), true);
        if (call == null) {
            view.refreshing.set(false); // down and no probe due: try again on a later call
            return;
        }
        view.nextRefreshNanos = now + refreshNanos;
        view.refreshDue = false;
        call.whenComplete((value, e) -> {
            view.refreshing.set(false);
            if (e == null) {
                view.raise(day, parse(value));
            }
        });
    }

    private void addLocally(String tenant, LocalDate day, double amount) {
        View view = views.getIfPresent(tenant);
        if (view != null) {
            view.add(day, amount);
        }
    }

    private static double parse(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 0; // not ours; treat as nothing spent rather than failing
        }
    }

    private <M extends Meter> M keep(M meter) {
        registered.add(meter);
        return meter;
    }

    /** One tenant's spend as this instance knows it. Guarded by its own monitor, except the refresh fields. */
    private static final class View {
        final String tenant;
        final AtomicBoolean refreshing = new AtomicBoolean();
        /** Set when first seen and when the day changes: refresh at once. */
        volatile boolean refreshDue = true;
        /** When the next refresh GET is due (nanoClock), unless {@code refreshDue}. */
        volatile long nextRefreshNanos;

        private LocalDate day;
        private double spent;

        View(String tenant) {
            this.tenant = tenant;
        }

        /** Spend on {@code day}; a new day starts from zero and makes a refresh due at once. */
        synchronized double spentOn(LocalDate today) {
            if (!today.equals(day)) {
                day = today;
                spent = 0;
                refreshDue = true;
            }
            return spent;
        }

        synchronized void raise(LocalDate on, double total) {
            if (on.equals(day)) {
                spent = Math.max(spent, total);
            }
        }

        synchronized void add(LocalDate on, double amount) {
            if (on.equals(day)) {
                spent += amount;
            }
        }
    }
}
