package io.herald.bench;

import java.util.EnumMap;
import java.util.Map;

/**
 * What one server's run measured: per {@link Step}, its {@link Measure}s. Scenarios record into it and the
 * report reads from it by the same typed names, so a figure cannot be written under one name and read
 * under another.
 */
final class Results {

    private final Map<Step, Map<Measure, Double>> numbers = new EnumMap<>(Step.class);
    private final Map<Step, Map<Measure, String>> texts = new EnumMap<>(Step.class);

    synchronized void put(Step step, Measure measure, double value) {
        numbers.computeIfAbsent(step, s -> new EnumMap<>(Measure.class)).put(measure, value);
    }

    synchronized void put(Step step, Measure measure, String text) {
        texts.computeIfAbsent(step, s -> new EnumMap<>(Measure.class)).put(measure, text);
    }

    /** The figure, or NaN if it was not measured. */
    synchronized double get(Step step, Measure measure) {
        Double value = numbers.getOrDefault(step, Map.of()).get(measure);
        return value == null ? Double.NaN : value;
    }

    /** The text, or null. */
    synchronized String text(Step step, Measure measure) {
        return texts.getOrDefault(step, Map.of()).get(measure);
    }

    /** The sum of the figures that count messages gone wrong ({@link Measure#wrong()}), over every step. */
    synchronized double wrong() {
        double sum = 0;
        for (Map<Measure, Double> step : numbers.values()) {
            for (Map.Entry<Measure, Double> e : step.entrySet()) {
                if (e.getKey().wrong() && !e.getValue().isNaN()) {
                    sum += e.getValue();
                }
            }
        }
        return sum;
    }

    /** One JSON object of every figure, named {@code step.measure}. */
    synchronized String json(String indent) {
        StringBuilder json = new StringBuilder("{");
        int m = 0;
        for (Map.Entry<Step, Map<Measure, Double>> step : numbers.entrySet()) {
            for (Map.Entry<Measure, Double> e : step.getValue().entrySet()) {
                double d = e.getValue();
                json.append(m++ > 0 ? "," : "").append('\n').append(indent).append('"').append(step.getKey().key)
                        .append('.').append(e.getKey().key()).append("\": ")
                        .append(Double.isNaN(d) || Double.isInfinite(d) ? "null" : String.valueOf(d));
            }
        }
        for (Map.Entry<Step, Map<Measure, String>> step : texts.entrySet()) {
            for (Map.Entry<Measure, String> e : step.getValue().entrySet()) {
                json.append(m++ > 0 ? "," : "").append('\n').append(indent).append('"').append(step.getKey().key)
                        .append('.').append(e.getKey().key()).append("\": \"")
                        .append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return json.append('\n').append(indent, 0, Math.max(0, indent.length() - 2)).append('}').toString();
    }
}
