package io.integcov.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * Leader election for the reconciler: a Lease in the operator namespace. Quarkus-operator-sdk uses this bean in the
 * profiles listed by {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod by default).
 */
public class LeaderElection {

    @Produces
    @ApplicationScoped
    LeaderElectionConfiguration leaderElectionConfiguration(OperatorConfig config) {
        return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(config.leaseName())
                .withLeaseNamespace(config.namespace())
                .build();
    }
}
