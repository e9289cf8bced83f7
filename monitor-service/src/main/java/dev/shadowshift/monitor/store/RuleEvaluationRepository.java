package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class RuleEvaluationRepository implements PanacheRepositoryBase<RuleEvaluation, String> {
}
