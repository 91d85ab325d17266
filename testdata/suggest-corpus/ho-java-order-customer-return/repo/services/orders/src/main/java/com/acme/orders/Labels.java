package com.acme.orders;

import java.util.Locale;

public class Labels {

    private final Locale locale;

    public Labels(Locale locale) {
        this.locale = locale;
    }

    public String recipient(Order order) {
        String name = order.getCustomer().getName();
        return name.toUpperCase(locale);
    }
}
