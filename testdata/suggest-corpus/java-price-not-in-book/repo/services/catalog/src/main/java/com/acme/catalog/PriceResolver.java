package com.acme.catalog;

import java.util.Currency;
import java.util.Map;

import org.springframework.stereotype.Component;

@Component
public class PriceResolver {
    private final PriceBook book;
    private final Map<String, Promotion> promotions;

    public PriceResolver(PriceBook book, Map<String, Promotion> promotions) {
        this.book = book;
        this.promotions = promotions;
    }

    /**
     * The price a customer pays for a SKU today, or null when the SKU is not sold in the
     * currency.
     */
    public Money resolve(Sku sku, Currency currency) {
        if (!book.sells(sku, currency)) {
            return null;
        }
        Price price = book.priceOf(sku.code(), currency);
        Money list = price.amount();
        Promotion promotion = promotions.get(sku.code());
        if (promotion != null && promotion.active()) {
            return promotion.apply(list);
        }
        return list;
    }

    public boolean discounted(Sku sku) {
        Promotion promotion = promotions.get(sku.code());
        return promotion != null && promotion.active();
    }
}
