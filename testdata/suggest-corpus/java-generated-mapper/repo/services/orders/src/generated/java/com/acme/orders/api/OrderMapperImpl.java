package com.acme.orders.api;

import com.acme.orders.Customer;
import com.acme.orders.Order;
import javax.annotation.processing.Generated;
import org.springframework.stereotype.Component;

@Generated(
    value = "org.mapstruct.ap.MappingProcessor",
    date = "2026-11-20T14:03:11+0100",
    comments = "version: 1.6.3, compiler: javac, environment: Java 17.0.13 (Eclipse Adoptium)"
)
@Component
public class OrderMapperImpl implements OrderMapper {

    @Override
    public OrderDto toDto(Order order) {
        if ( order == null ) {
            return null;
        }

        OrderDto orderDto = new OrderDto();

        orderDto.setId( order.getId() );
        Customer customer = order.getCustomer();
        orderDto.setCustomerEmail( customer.getEmail() );
        orderDto.setTotal( order.getTotal() );

        return orderDto;
    }
}
