package io.jspeed.comm.mpi;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a user without Open MPI sees: one line naming what was tried and the install command. Runs without MPI. */
class MpiLibraryTest {

    @Test
    void aMissingLibraryIsOneLineWithWhatWasTriedAndTheInstallCommand() {
        assertThatThrownBy(() -> MpiLibrary.load(List.of("/nonexistent/libmpi.so.40", "libmpi-not-here.so")))
                .isInstanceOf(MpiUnavailableException.class)
                .hasMessage("jspeed's MPI backend is unavailable: Open MPI's libmpi was not found (tried"
                        + " /nonexistent/libmpi.so.40, libmpi-not-here.so); install Open MPI: apt-get install openmpi-bin libopenmpi-dev");
    }

    @Test
    void aLibraryThatIsNotOpenMpiIsRefusedByName() {
        assertThatThrownBy(() -> MpiLibrary.load(List.of("libc.so.6")))
                .isInstanceOf(MpiUnavailableException.class)
                .hasMessageContaining("libc.so.6 is not Open MPI")
                .hasMessageEndingWith("install Open MPI: apt-get install openmpi-bin libopenmpi-dev")
                .hasMessageNotContaining("\n");
    }
}
