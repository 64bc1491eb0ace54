package io.harborai.worker.cost;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one model costs, per million tokens, in one currency.
 *
 * <p>Immutable and thread-safe.
 *
 * @param inputPerMillion price of a prompt token that was not served from the provider's prompt cache
 * @param cachedInputPerMillion price of a prompt token served from the provider's prompt cache
 * @param outputPerMillion price of a completion token (reasoning tokens included, see {@link PriceTable})
 * @param currency a three-letter code such as {@code USD} or {@code CNY}
 */
public record Price(double inputPerMillion, double cachedInputPerMillion, double outputPerMillion, String currency) {

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    /** @throws IllegalArgumentException for a negative or non-finite price or a malformed currency */
    public Price {
        requirePrice("inputPerMillion", inputPerMillion);
        requirePrice("cachedInputPerMillion", cachedInputPerMillion);
        requirePrice("outputPerMillion", outputPerMillion);
        Objects.requireNonNull(currency, "currency");
        if (!isCurrency(currency)) {
            throw new IllegalArgumentException("currency must be three capital letters such as USD, was " + currency);
        }
    }

    /** A price in US dollars. */
    public static Price usd(double input, double cachedInput, double output) {
        return new Price(input, cachedInput, output, "USD");
    }

    /** A price in Chinese yuan. */
    public static Price cny(double input, double cachedInput, double output) {
        return new Price(input, cachedInput, output, "CNY");
    }

    static boolean isCurrency(String code) {
        return code != null && CURRENCY.matcher(code).matches();
    }

    private static void requirePrice(String name, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, was " + value);
        }
    }
}
