package io.github.loadstar.core.spi;

import java.util.Map;
import java.util.SortedMap;

/**
 * A policy whose parameters can be read and changed by name, as text: what lets an operator change
 * {@code agingBoost} or {@code nice.batch} from outside the process (JMX, the command line) through
 * the scheduler's versioned reconfiguration ({@code SchedulerSettings.withOrderingParameter}).
 *
 * <p>The names are the policy's own (documented by each policy's config); the values are written
 * the way {@link ParameterText} reads them. Both methods validate every value together, over the
 * parameters in force: a value that fails throws before anything changes, naming the parameter.
 */
public interface NamedParameters {

    /** The parameters in force, by name, as text; sorted by name. */
    SortedMap<String, String> parameters();

    /**
     * The parameters {@code values} would give (a subset of the parameters, or new entries of a named
     * family such as {@code nice.<tenant>}, over the parameters in force), written as
     * {@link #parameters()} writes them; changes nothing.
     *
     * @throws NullPointerException     if {@code values} or one of its keys or values is null
     * @throws IllegalArgumentException naming the parameter, if a name is unknown or a value invalid
     */
    SortedMap<String, String> check(Map<String, String> values);

    /**
     * Applies {@code values} over the parameters in force, in one atomic swap of the policy's config.
     *
     * @throws NullPointerException     as {@link #check}
     * @throws IllegalArgumentException as {@link #check}; the parameters in force stay
     */
    void apply(Map<String, String> values);
}
