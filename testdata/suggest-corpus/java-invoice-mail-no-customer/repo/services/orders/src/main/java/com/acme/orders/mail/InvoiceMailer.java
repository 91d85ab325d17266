package com.acme.orders.mail;

import java.util.Locale;

import com.acme.orders.Customer;
import com.acme.orders.Order;

import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

@Component
public class InvoiceMailer {
    private final JavaMailSender sender;
    private final InvoiceTemplates templates;

    public InvoiceMailer(JavaMailSender sender, InvoiceTemplates templates) {
        this.sender = sender;
        this.templates = templates;
    }

    public void send(Order order) {
        Customer customer = order.getCustomer();
        String to = customer.email;
        SimpleMailMessage message = new SimpleMailMessage();
        message.setTo(to);
        message.setSubject(templates.subject(order, Locale.ENGLISH));
        message.setText(templates.body(order, Locale.ENGLISH));
        sender.send(message);
    }

    public void sendCopy(Order order, String accountant) {
        SimpleMailMessage message = new SimpleMailMessage();
        message.setTo(accountant);
        message.setSubject("Copy: " + templates.subject(order, Locale.ENGLISH));
        message.setText(templates.body(order, Locale.ENGLISH));
        sender.send(message);
    }
}
