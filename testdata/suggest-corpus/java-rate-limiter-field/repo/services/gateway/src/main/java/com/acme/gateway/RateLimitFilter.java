package com.acme.gateway;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

@Component
public class RateLimitFilter extends OncePerRequestFilter {
    private RateLimiter rateLimiter;
    private final TenantResolver tenants;

    public RateLimitFilter(TenantResolver tenants) {
        this.tenants = tenants;
    }

    @Autowired(required = false)
    void setRateLimiter(RateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String tenant = tenants.resolve(request);
        if (!rateLimiter.tryAcquire(tenant)) {
            response.setStatus(429);
            return;
        }
        chain.doFilter(request, response);
    }
}
