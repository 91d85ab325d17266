package com.acme.shipping.web;

import com.acme.shipping.LabelService;
import com.acme.shipping.LabelException;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/orders/{orderId}/label")
public class LabelController {
    private final LabelService labels;

    public LabelController(LabelService labels) {
        this.labels = labels;
    }

    @PostMapping
    public ResponseEntity<Void> print(@PathVariable String orderId) {
        try {
            labels.printLabel(orderId);
        } catch (RuntimeException e) {
            throw new LabelException("printing the label of order " + orderId + " failed", e);
        }
        return ResponseEntity.accepted().build();
    }
}
