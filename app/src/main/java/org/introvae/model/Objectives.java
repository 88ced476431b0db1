package org.introvae.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The registry of objectives: command lines, presets, the exporter and the tables list them from here. */
public final class Objectives {
  private Objectives() {}

  /** Every objective, in the order help texts list them. */
  public static final List<Objective.Kind> ALL = List.of(IntroVaeObjective.KIND, SoftIntroVaeObjective.KIND, VaeObjective.KIND);

  public static Objective.Kind byName(String name) {
    for (Objective.Kind k : ALL) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("'" + name + "' is not one of " + names());
  }

  public static String names() {
    return ALL.stream().map(Objective.Kind::name).collect(Collectors.joining(", "));
  }

  /** Every weight option once, with the names of the objectives that take it (β is IntroVAE's and the VAE's). */
  public static Map<Objective.Weight, List<String>> weightOptions() {
    Map<String, Objective.Weight> byOption = new LinkedHashMap<>();
    Map<Objective.Weight, List<String>> users = new LinkedHashMap<>();
    for (Objective.Kind k : ALL) {
      for (Objective.Weight w : k.weights()) {
        Objective.Weight first = byOption.computeIfAbsent(w.option(), o -> w);
        users.computeIfAbsent(first, o -> new ArrayList<>()).add(k.name());
      }
    }
    return users;
  }
}
