package io.herald.connection;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * The browser client is public code meant to be imported by pages of other origins
 * ({@code import { Herald } from 'https://push.example.com/herald.js'}): a module script from another
 * origin loads only with CORS, so it is served to every origin. It carries no secret and the request
 * no credentials ({@code *} forbids them), so this opens nothing else.
 */
@WebFilter(urlPatterns = "/herald.js")
public class PublicFilesFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader("Access-Control-Allow-Origin", "*");
        // Pages that isolate themselves (Cross-Origin-Embedder-Policy) load only resources that allow it.
        response.setHeader("Cross-Origin-Resource-Policy", "cross-origin");
        chain.doFilter(request, response);
    }
}
