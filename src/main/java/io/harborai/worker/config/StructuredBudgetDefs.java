package io.harborai.worker.config;

import static io.harborai.worker.config.HarborConfigDef.*;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Type, default, allowed range and documentation of the keys of structured output and cost: {@code
 * structured.*} and {@code budget.*}. The key name constants are in {@link HarborConfigDef}, which
 * assembles {@link HarborConfigDef#DEF} from this and the other {@code *Defs} classes.
 */
final class StructuredBudgetDefs {
    private StructuredBudgetDefs() {}

    /** Adds this area's keys to {@code def}; returns it. */
    static ConfigDef define(ConfigDef def) {
        return def.define(
                        STRUCTURED_MAX_ATTEMPTS,
                        Type.INT,
                        3,
                        Range.between(1, 10),
                        Importance.MEDIUM,
                        "Answers checked per structured-output request (response_format json_schema or json_object): an "
                                + "invalid answer is re-asked in the same conversation with the validation errors until this many "
                                + "answers were checked, then the result is FAILED with SCHEMA_VALIDATION. 1 = never re-ask.")
                .define(
                        BUDGET_DAILY_DEFAULT,
                        Type.DOUBLE,
                        0.0,
                        Range.atLeast(0.0),
                        Importance.MEDIUM,
                        "Daily spend limit of every tenant without its own budget.daily.<tenant>, in budget.currency; 0 = "
                                + "none. Spend is kept in Redis (redis.url) per tenant and UTC day; a request of a tenant over its "
                                + "limit gets a FAILED result with BUDGET_EXCEEDED and no provider call.")
                .define(
                        BUDGET_CURRENCY,
                        Type.STRING,
                        "USD",
                        new ConfigDef.NonEmptyString(),
                        Importance.LOW,
                        "Currency of the budget limits; costs priced in another currency are not converted and not counted.")
                .define(
                        BUDGET_KEY_PREFIX,
                        Type.STRING,
                        "harbor:budget:",
                        Importance.LOW,
                        "Prefix of the Redis keys holding each tenant's daily spend.");
    }
}
